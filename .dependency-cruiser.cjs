/**
 * The architecture, stated once: src/ in layers, lowest first. A module may import its own layer
 * and any layer below it, never one above. With no upward import, src/ folders form no cycle;
 * `no-circular` also keeps modules inside one layer acyclic.
 *
 * Core (plain Node, tested with mocha):
 *   core root files  errors, like, types, plural: what every layer shares
 *   core/values      container refs, aliases, every `crosslink.*` label key, role and their parsing
 *   core/hosts       DockerClient and its dockerode implementation, host specs, ssh, known_hosts
 *   core/model       ContainerModel (the HostDirectory), HostWatcher, container facts
 *   core/planning    plans, the executor, journal and recovery, recreation
 *   core/links       same-host links, networks, volumes, hops and probes
 *   core/provenance  seals and the object registry: what Crosslink can prove it made
 *   core/ambassadors cross-host links through ambassador containers
 *   core/overlay     cross-host links over Swarm overlay networks, Swarm membership and forming
 *   core/forwarding  tunnels to localhost
 *   core/containers  container and host actions (start, stop, remove, logs)
 *   core/topology    the topology graph of every host, its layout, SVG and Mermaid
 * VS Code (the `vscode` module is allowed from here up):
 *   ui root files    settings, log, pickers, progress, status bars, live health, interrupted changes
 *   ui/tunnels       tunnel persistence and status bar
 *   ui/tree          the Containers tree and its nodes
 *   ui/topology      the Topology webview panel (and its browser-side script)
 *   ui/commands      command handlers
 *   extension.ts     activation: wires everything
 */
const layers = [
  { name: 'core root', path: '^src/core/[^/]+\\.ts$' },
  { name: 'core/values', path: '^src/core/values/' },
  { name: 'core/hosts', path: '^src/core/hosts/' },
  { name: 'core/model', path: '^src/core/model/' },
  { name: 'core/planning', path: '^src/core/planning/' },
  { name: 'core/links', path: '^src/core/links/' },
  { name: 'core/provenance', path: '^src/core/provenance/' },
  { name: 'core/ambassadors', path: '^src/core/ambassadors/' },
  { name: 'core/overlay', path: '^src/core/overlay/' },
  { name: 'core/forwarding', path: '^src/core/forwarding/' },
  { name: 'core/containers', path: '^src/core/containers/' },
  { name: 'core/topology', path: '^src/core/topology/' },
  { name: 'ui root', path: '^src/ui/[^/]+\\.ts$' },
  { name: 'ui/tunnels', path: '^src/ui/tunnels/' },
  { name: 'ui/tree', path: '^src/ui/tree/' },
  { name: 'ui/topology', path: '^src/ui/topology/' },
  { name: 'ui/commands', path: '^src/ui/commands/' },
  { name: 'extension', path: '^src/extension\\.ts$' },
];

/** One rule per layer: nothing in it imports any layer above it. */
const layerRules = layers.slice(0, -1).map((layer, index) => ({
  name: `layer: ${layer.name}`,
  comment: `${layer.name} must not import from a higher layer (${layers
    .slice(index + 1)
    .map((higher) => higher.name)
    .join(', ')}); the order is stated in .dependency-cruiser.cjs`,
  severity: 'error',
  from: { path: layer.path },
  to: { path: layers.slice(index + 1).map((higher) => higher.path) },
}));

/** Every module in src/ belongs to a layer, so a new folder cannot slip past the rules: neither its imports nor its importers. */
const unlayered = [
  { from: { path: '^src/', pathNot: layers.map((layer) => layer.path) }, to: {} },
  { from: { path: '^src/' }, to: { path: '^src/', pathNot: layers.map((layer) => layer.path) } },
].map((rule) => ({
  name: 'layer: unknown folder',
  comment: 'every module under src/ belongs to a layer: add the new folder to the list in .dependency-cruiser.cjs',
  severity: 'error',
  ...rule,
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...layerRules,
    ...unlayered,
    {
      name: 'no-circular',
      comment: 'modules must not import each other in a cycle',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(out|dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
