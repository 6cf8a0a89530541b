import * as assert from 'node:assert/strict';
import { containerFacts, formatPort } from '../../src/core/model/containerFacts';
import { container } from './fakes/fakeDockerClient';

describe('containerFacts (unit)', () => {
  it('lists the IP on each network with aliases, ports and links', () => {
    const summary = container('0123456789abcdef', 'web', {
      networks: [
        { name: 'bridge', ipAddress: '172.17.0.2', aliases: [] },
        { name: 'appnet', ipAddress: '172.29.0.3', aliases: ['web', 'frontend'] },
      ],
      ports: [
        { privatePort: 8080, protocol: 'tcp', publicPort: 80, hostIp: '0.0.0.0' },
        { privatePort: 1521, protocol: 'tcp', publicPort: 1521, hostIp: '10.231.0.11' },
        { privatePort: 53, protocol: 'udp' },
      ],
    });
    assert.deepEqual(containerFacts({ ...summary, links: ['database:db'], hostname: 'web', raw: {} }), [
      'Image: crosslink/fixture:latest',
      'Status: Up 1 second',
      'ID: 0123456789ab',
      'Network bridge: 172.17.0.2',
      'Network appnet: 172.29.0.3 (aliases: frontend)',
      'Ports: 80→8080/tcp, 10.231.0.11:1521→1521/tcp, 53/udp',
      'Links: database:db',
    ]);
  });

  it('formats unpublished ports without a host side', () => {
    assert.equal(formatPort({ privatePort: 80, protocol: 'tcp' }), '80/tcp');
  });
});
