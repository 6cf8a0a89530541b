/**
 * Where a tunnel listens and which address reaches it from the user's browser. Tunnels listen on
 * the machine the extension host runs on: the user's computer when Crosslink runs as a UI extension
 * (its preferred kind), the remote machine when it runs in a remote window's workspace host or
 * behind a browser (code-server, vscode.dev tunnels). Then localhost means the remote machine, and
 * VS Code's `env.asExternalUri` gives the address that reaches it (a forwarded port, or a proxy URL
 * in code-server). No run-time `vscode` import: tested in plain Node.
 */

export interface ExtensionPlace {
  /** `vscode.env.remoteName`: 'ssh-remote', 'wsl', 'dev-container', … or undefined in a local window. */
  remoteName?: string;
  /** `vscode.env.uiKind === UIKind.Web`: the workbench runs in a browser, the extension host on a server. */
  web: boolean;
  /** The extension runs in the workspace (remote) extension host rather than the UI one. */
  workspaceSide: boolean;
}

export interface TunnelMachine {
  /** localhost here is not the browser's machine: addresses go through asExternalUri. */
  remote: boolean;
  /** For the UI: "this computer", "the remote machine (SSH)", … */
  label: string;
}

const remoteLabels: Record<string, string> = {
  'ssh-remote': 'SSH',
  wsl: 'WSL',
  'dev-container': 'Dev Container',
  'attached-container': 'container',
  codespaces: 'Codespaces',
  tunnel: 'Remote Tunnel',
};

export function tunnelMachine(place: ExtensionPlace): TunnelMachine {
  // First: in code-server remoteName is the server's authority ("host:port"), not a kind worth showing.
  if (place.web) {
    return { remote: true, label: 'the server behind this browser window' };
  }
  if (place.remoteName && place.workspaceSide) {
    return { remote: true, label: `the remote machine (${remoteLabels[place.remoteName] ?? place.remoteName})` };
  }
  return { remote: false, label: 'this computer' };
}

/** The URL a browser opens for a tunnel on the machine it listens on (https for 443 and 8443). */
export function localTunnelUrl(containerPort: number, localPort: number): string {
  return `${[443, 8443].includes(containerPort) ? 'https' : 'http'}://localhost:${localPort}/`;
}

/**
 * The address to show and copy: the tunnel's own `host:port` when it is local; else what
 * asExternalUri gave, as `host:port` when that is a plain forwarded port, the whole URL when it is
 * a proxy path (code-server's `…/proxy/8080/`), which `host:port` alone would not reach.
 */
export function shownTunnelAddress(localAddress: string, externalUrl: string | undefined): string {
  if (externalUrl === undefined) {
    return localAddress;
  }
  const url = new URL(externalUrl);
  if (url.pathname === '/' && !url.search && !url.hash && !url.username) {
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    return `${url.hostname}:${port}`;
  }
  return externalUrl;
}
