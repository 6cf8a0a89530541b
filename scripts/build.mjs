// Bundles the extension into dist/extension.js. `vscode` is provided by the host;
// ssh2's optional native add-ons (cpu-features, sshcrypto.node) are loaded inside
// try/catch by ssh2, so leaving them out of the bundle keeps the pure-JS fallbacks.
import * as esbuild from 'esbuild';

const watch = process.argv.includes('--watch');
/** @type {import('esbuild').BuildOptions} */
const options = {
  entryPoints: ['src/extension.ts'],
  bundle: true,
  outfile: 'dist/extension.js',
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  external: ['vscode', 'cpu-features', './crypto/build/Release/sshcrypto.node'],
  logLevel: 'warning',
};

if (watch) {
  const context = await esbuild.context(options);
  await context.watch();
} else {
  await esbuild.build(options);
}
