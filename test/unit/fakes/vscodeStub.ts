import Module = require('node:module');

/**
 * Command modules import `vscode` for what they do after the prompts (settings, clipboard,
 * editors); their parse() and prompt flows never touch it. This lets unit tests load them in
 * plain Node: `vscode` resolves to an empty object, and any use of it fails loudly.
 */
const resolver = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
const original = resolver._resolveFilename;
resolver._resolveFilename = function (request: string, ...rest: unknown[]) {
  return request === 'vscode' ? 'vscode-stub' : original.call(this, request, ...rest);
};
require.cache['vscode-stub'] = { id: 'vscode-stub', filename: 'vscode-stub', loaded: true, exports: new Proxy({}, { get: (_, key) => (key === '__esModule' ? false : undefined) }) } as unknown as NodeJS.Module;
