import * as assert from 'node:assert/strict';
import { containerIpReach, engineLabel, engineName } from '../../src/core/hosts/engines';
import type { EngineHost, EngineInfo } from '../../src/core/types';

describe('engines (unit)', () => {
  const linuxHere = { platform: 'linux' as const, kernelRelease: '6.1.0-18-amd64' };
  const engine = (overrides: Partial<EngineInfo> = {}): EngineInfo => ({ version: '24.0.7', apiVersion: '1.43', os: 'linux', arch: 'amd64', ...overrides });
  const host = (overrides: Partial<EngineHost> = {}): EngineHost => ({
    id: 'X',
    name: 'box',
    operatingSystem: 'Debian GNU/Linux 12 (bookworm)',
    kernelVersion: '6.1.0-18-amd64',
    ...overrides,
  });

  it('names Podman by its /version component, everything else Docker', () => {
    assert.equal(engineName(['Podman Engine']), 'Podman');
    assert.equal(engineName(['Engine', 'containerd', 'runc', 'docker-init']), 'Docker');
    assert.equal(engineName([]), 'Docker');
    assert.equal(engineLabel(engine({ engine: 'Podman', version: '4.3.1' })), 'Podman 4.3.1');
    assert.equal(engineLabel(engine()), 'Docker 24.0.7', 'an engine that did not say is Docker');
  });

  const cases: Array<{
    title: string;
    engine?: Partial<EngineInfo>;
    host?: Partial<EngineHost>;
    here?: typeof linuxHere | { platform: NodeJS.Platform; kernelRelease: string };
    routable: boolean;
  }> = [
    { title: 'Linux dockerd on this kernel', routable: true },
    { title: 'rootless Podman on this kernel', engine: { engine: 'Podman' }, host: { operatingSystem: 'debian' }, routable: true },
    { title: 'Docker Desktop on Linux (by /info OperatingSystem)', host: { operatingSystem: 'Docker Desktop', name: 'docker-desktop' }, routable: false },
    { title: 'Docker Desktop (by /version Platform.Name), same kernel string', engine: { platformName: 'Docker Desktop 4.25.0 (126437)' }, routable: false },
    { title: 'Colima on Linux (by /info Name)', host: { name: 'colima', kernelVersion: linuxHere.kernelRelease }, routable: false },
    { title: 'a named Colima profile', host: { name: 'colima-work', kernelVersion: linuxHere.kernelRelease }, routable: false },
    { title: 'Podman machine', engine: { engine: 'Podman' }, host: { name: 'podman-machine-default', kernelVersion: linuxHere.kernelRelease }, routable: false },
    { title: 'any Linux engine from macOS', here: { platform: 'darwin', kernelRelease: '23.1.0' }, host: { kernelVersion: '6.4.16-linuxkit' }, routable: false },
    { title: 'any Linux engine from Windows', here: { platform: 'win32', kernelRelease: '10.0.22631' }, routable: false },
    {
      title: 'OrbStack on macOS routes container IPs',
      here: { platform: 'darwin', kernelRelease: '23.1.0' },
      host: { operatingSystem: 'OrbStack', name: 'orbstack' },
      routable: true,
    },
    { title: 'a Linux engine on another kernel (an unnamed VM)', host: { kernelVersion: '5.15.0-91-generic' }, routable: false },
    {
      title: 'a Windows engine on Windows',
      here: { platform: 'win32', kernelRelease: '10.0.22631' },
      engine: { os: 'windows' },
      host: { kernelVersion: '10.0 22631' },
      routable: true,
    },
  ];
  for (const { title, routable, ...facts } of cases) {
    it(`container IPs ${routable ? 'are' : 'are not'} routable from here: ${title}`, () => {
      const reach = containerIpReach(engine(facts.engine), host(facts.host), facts.here ?? linuxHere);
      assert.equal(reach.routable, routable, reach.why);
      assert.ok(reach.why.length > 0);
    });
  }
});
