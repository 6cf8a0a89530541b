// Bundles the extension into dist/extension.js, minified, with dist/extension.js.map beside it
// (shipped, so a stack trace from a user's log can be mapped back to src/). `vscode` is provided by
// the host; ssh2's optional native add-ons (cpu-features, sshcrypto.node) are loaded inside
// try/catch by ssh2, so leaving them out of the bundle keeps the pure-JS fallbacks.
import * as esbuild from 'esbuild';
import { fileURLToPath } from 'node:url';

/**
 * dockerode requires its BuildKit session code (./session: @grpc/grpc-js, @grpc/proto-loader;
 * ./buildkit: protobufjs) at load time, for `buildImage({ version: '2' })` only, which Crosslink
 * never calls. It was 40 % of the bundle and most of its require time. Found with esbuild's
 * metafile (`node scripts/build.mjs --analyze`). The stub fails loudly should anything reach it.
 */
/** @type {import('esbuild').Plugin} */
const stubBuildKit = {
  name: 'stub-dockerode-buildkit',
  setup(build) {
    build.onResolve({ filter: /^\.\/(session|buildkit)$/ }, (args) =>
      /[\\/]dockerode[\\/]lib$/.test(args.resolveDir) ? { path: args.path, namespace: 'buildkit-stub' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'buildkit-stub' }, () => ({
      contents: 'module.exports = function buildKitNotBundled() { throw new Error("BuildKit sessions are not bundled in Crosslink"); };',
      loader: 'js',
    }));
  },
};

/**
 * The shipped bundle's options; tests bundle other entry points with the same ones.
 * @type {import('esbuild').BuildOptions}
 */
export const bundleOptions = {
  entryPoints: ['src/extension.ts'],
  bundle: true,
  outfile: 'dist/extension.js',
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  // Class and function names stay readable in stack traces and logs.
  keepNames: true,
  sourcemap: true,
  plugins: [stubBuildKit],
  external: ['vscode', 'cpu-features', './crypto/build/Release/sshcrypto.node'],
  logLevel: 'warning',
};

/**
 * The Topology view's browser-side script (layout with dagre, drawing), loaded by its webview from
 * dist/: a file of its own so the extension bundle does not carry it.
 * @type {import('esbuild').BuildOptions}
 */
export const topologyWebviewOptions = {
  entryPoints: ['src/ui/topology/webview/main.ts'],
  bundle: true,
  outfile: 'dist/topology.js',
  platform: 'browser',
  target: 'es2022',
  format: 'iife',
  minify: true,
  sourcemap: true,
  logLevel: 'warning',
};

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const analyze = process.argv.includes('--analyze');
  if (process.argv.includes('--watch')) {
    for (const options of [bundleOptions, topologyWebviewOptions]) {
      const context = await esbuild.context(options);
      await context.watch();
    }
  } else {
    const [result] = await Promise.all([esbuild.build({ ...bundleOptions, metafile: analyze }), esbuild.build(topologyWebviewOptions)]);
    if (analyze) {
      console.log(await esbuild.analyzeMetafile(result.metafile ?? ''));
    }
  }
}
