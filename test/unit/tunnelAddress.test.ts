import * as assert from 'node:assert/strict';
import { connectableAddress, formatAddress } from '../../src/core/forwarding/tcpForwarder';
import { localTunnelUrl, shownTunnelAddress, tunnelMachine } from '../../src/ui/tunnels/tunnelAddress';

describe('tunnel addresses in local and remote windows (unit)', () => {
  const places: Array<[string, Parameters<typeof tunnelMachine>[0], boolean, RegExp]> = [
    ['a local window', { web: false, workspaceSide: false }, false, /this computer/],
    ['a Remote-SSH window, Crosslink on the UI side (its preferred kind)', { remoteName: 'ssh-remote', web: false, workspaceSide: false }, false, /this computer/],
    ['a Remote-SSH window, Crosslink forced to the workspace side', { remoteName: 'ssh-remote', web: false, workspaceSide: true }, true, /remote machine \(SSH\)/],
    ['a WSL window from Windows, workspace side', { remoteName: 'wsl', web: false, workspaceSide: true }, true, /remote machine \(WSL\)/],
    ['a Dev Container, workspace side', { remoteName: 'dev-container', web: false, workspaceSide: true }, true, /Dev Container/],
    ['an unknown remote kind', { remoteName: 'acme', web: false, workspaceSide: true }, true, /\(acme\)/],
    [
      'code-server (browser workbench, extension host on the server; remoteName is its authority)',
      { remoteName: '127.0.0.1:42445', web: true, workspaceSide: true },
      true,
      /server behind this browser/,
    ],
    ['vscode.dev on a Remote Tunnel', { remoteName: 'tunnel', web: true, workspaceSide: true }, true, /server behind this browser/],
  ];
  for (const [name, place, remote, label] of places) {
    it(`${name}: tunnels listen ${remote ? 'remotely' : 'here'}`, () => {
      const machine = tunnelMachine(place);
      assert.equal(machine.remote, remote);
      assert.match(machine.label, label);
    });
  }

  it('opens http, or https for 443 and 8443, on localhost of the machine that listens', () => {
    assert.equal(localTunnelUrl(80, 8080), 'http://localhost:8080/');
    assert.equal(localTunnelUrl(443, 8443), 'https://localhost:8443/');
    assert.equal(localTunnelUrl(8443, 18443), 'https://localhost:18443/');
  });

  const shown: Array<[string, string, string | undefined, string]> = [
    ['local: the tunnel address itself', '127.0.0.1:8080', undefined, '127.0.0.1:8080'],
    // Windows cannot connect to a wildcard address (0.0.0.0 or ::), so a tunnel on all interfaces reports loopback.
    ['local on Windows with allInterfaces: the connectable loopback the manager reports', formatAddress(connectableAddress('0.0.0.0'), 8080), undefined, '127.0.0.1:8080'],
    ['local on Windows with allInterfaces over IPv6', formatAddress(connectableAddress('::'), 8080), undefined, '127.0.0.1:8080'],
    ['local IPv6 loopback', formatAddress(connectableAddress('::1'), 8080), undefined, '[::1]:8080'],
    ['Remote-SSH: the port VS Code forwarded to this computer', '127.0.0.1:8080', 'http://localhost:53412/', 'localhost:53412'],
    ['WSL on Windows: forwarded to the same port', '127.0.0.1:8080', 'http://localhost:8080/', 'localhost:8080'],
    ['Codespaces / tunnels: an https forwarding host', '127.0.0.1:3000', 'https://x-3000.app.github.dev/', 'x-3000.app.github.dev:443'],
    ['code-server: a proxy path, kept whole', '127.0.0.1:8080', 'https://dev.example.com/proxy/8080/', 'https://dev.example.com/proxy/8080/'],
    ['code-server on a subdomain proxy', '127.0.0.1:8080', 'https://8080.dev.example.com/', '8080.dev.example.com:443'],
  ];
  for (const [name, local, external, expected] of shown) {
    it(`shows and copies ${expected} for ${name}`, () => assert.equal(shownTunnelAddress(local, external), expected));
  }
});
