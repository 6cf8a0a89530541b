import Module = require('node:module');
import { vscodeTreeApi } from '../../support/vscodeTreeApi';

/**
 * Command modules import `vscode` for what they do after the prompts (settings, clipboard,
 * editors); their parse() and prompt flows never touch it. This lets unit tests load them in
 * plain Node: `vscode` resolves to an object with only what the tree provider draws with
 * (vscodeTreeApi, as own keys: esbuild's interop copies those) and a trusted workspace, and any other use of it fails loudly.
 */
/** Commands say which settings Restricted Mode limited; unit tests run in a trusted folder. */
const trustedFolder = { isTrusted: true };

const resolver = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
const original = resolver._resolveFilename;
resolver._resolveFilename = function (request: string, ...rest: unknown[]) {
  return request === 'vscode' ? 'vscode-stub' : original.call(this, request, ...rest);
};
require.cache['vscode-stub'] = {
  id: 'vscode-stub',
  filename: 'vscode-stub',
  loaded: true,
  exports: new Proxy({ ...vscodeTreeApi, workspace: trustedFolder }, { get: (api: Record<PropertyKey, unknown>, key) => (key === '__esModule' ? false : api[key]) }),
} as unknown as NodeJS.Module;
