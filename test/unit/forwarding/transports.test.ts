import * as assert from 'node:assert/strict';
import { ForwardError, type ForwardErrorReason } from '../../../src/core/errors';
import type { HostSpec } from '../../../src/core/hosts/hostSpec';
import { type AmbassadorPlan, ambassadorCreateBody, planTransport } from '../../../src/core/forwarding/transports';
import type { ContainerDetails, ContainerNetwork, PortBinding } from '../../../src/core/types';
import { container } from '../fakes/fakeDockerClient';
import { hostSpec } from './fakeEngine';

const tcpHost = hostSpec('alpha', 'tcp://10.231.0.11:2376');
const sshHost = hostSpec('beta', 'ssh://root@10.231.0.12');
const localHost = hostSpec('local', 'unix:///var/run/docker.sock');

const bridge: ContainerNetwork = { name: 'bridge', ipAddress: '172.17.0.5', aliases: [] };
const appnet: ContainerNetwork = { name: 'appnet', ipAddress: '172.20.0.7', aliases: ['web'] };

function web(overrides: { ports?: PortBinding[]; networks?: ContainerNetwork[]; state?: ContainerDetails['state'] } = {}): ContainerDetails {
  return { ...container('c1', 'web', { networks: [bridge], ...overrides }), links: [], hostname: 'c1', raw: {} };
}

const published = (hostIp?: string): PortBinding[] => [{ privatePort: 80, protocol: 'tcp', publicPort: 8080, hostIp }];

describe('planTransport (unit)', () => {
  // Rows of a table: the host kind decides whether the client can dial from the host (ssh, local socket).
  const cases: Array<{ name: string; spec: HostSpec; target: ContainerDetails; expected: Record<string, unknown> }> = [
    {
      name: 'a port published on all interfaces of a tcp host: the host address',
      spec: tcpHost,
      target: web({ ports: published('0.0.0.0') }),
      expected: { kind: 'published', label: 'published port 10.231.0.11:8080', address: '10.231.0.11', port: 8080 },
    },
    {
      name: 'a port published on one address: that address',
      spec: sshHost,
      target: web({ ports: published('10.231.0.99') }),
      expected: { kind: 'published', label: 'published port 10.231.0.99:8080', address: '10.231.0.99', port: 8080 },
    },
    {
      name: 'a port published on a remote loopback: unusable, the SSH channel instead',
      spec: sshHost,
      target: web({ ports: published('127.0.0.1') }),
      expected: { kind: 'sshChannel', label: 'SSH channel to 172.17.0.5:80', ip: '172.17.0.5', port: 80 },
    },
    {
      name: 'a port published by the local engine: loopback',
      spec: localHost,
      target: web({ ports: published('::') }),
      expected: { kind: 'published', label: 'published port 127.0.0.1:8080', address: '127.0.0.1', port: 8080 },
    },
    {
      name: 'an unpublished port on an ssh host: a channel of the one SSH connection',
      spec: sshHost,
      target: web(),
      expected: { kind: 'sshChannel', label: 'SSH channel to 172.17.0.5:80', ip: '172.17.0.5', port: 80 },
    },
    {
      name: 'an unpublished port on the local engine: the container IP',
      spec: localHost,
      target: web({ networks: [appnet] }),
      expected: { kind: 'localBridge', label: 'local bridge to 172.20.0.7:80', ip: '172.20.0.7', port: 80 },
    },
    {
      name: 'a host-network container: the host address',
      spec: tcpHost,
      target: web({ networks: [{ name: 'host', aliases: [] }] }),
      expected: { kind: 'published', label: 'host network 10.231.0.11:80', address: '10.231.0.11', port: 80 },
    },
  ];
  for (const { name, spec, target, expected } of cases) {
    it(name, () => {
      assert.deepEqual(planTransport(spec, target, 80, spec.endpoint.kind !== 'tcp'), expected);
    });
  }

  it('an unpublished port on a tcp host: an ambassador on the default bridge, targeting the IP', () => {
    assert.deepEqual(planTransport(tcpHost, web(), 80, false), {
      kind: 'ambassador',
      label: 'ambassador crosslink-tunnel-web-80',
      name: 'crosslink-tunnel-web-80',
      image: 'alpine/socat:latest',
      publishAddress: '10.231.0.11',
      network: 'bridge',
      targetAddress: '172.17.0.5',
      targetPort: 80,
      labels: { 'crosslink.managed': 'true', 'crosslink.role': 'tunnel-ambassador', 'crosslink.target': 'alpha/web:80' },
    });
  });

  it('an ambassador prefers a user-defined network, where the target is found by name', () => {
    const plan = planTransport(tcpHost, web({ networks: [bridge, appnet] }), 80, false, { ambassadorImage: 'crosslink/fixture:latest' }) as AmbassadorPlan;
    assert.equal(plan.network, 'appnet');
    assert.equal(plan.targetAddress, 'web');
    assert.equal(plan.image, 'crosslink/fixture:latest');
  });

  it("Podman's default network has no DNS either: the ambassador targets the IP there, and prefers a user-defined network", () => {
    const podman: ContainerNetwork = { name: 'podman', ipAddress: '10.88.0.4', aliases: [] };
    const onDefault = planTransport(tcpHost, web({ networks: [podman] }), 80, false) as AmbassadorPlan;
    assert.deepEqual([onDefault.network, onDefault.targetAddress], ['podman', '10.88.0.4']);
    const withUserNetwork = planTransport(tcpHost, web({ networks: [podman, appnet] }), 80, false) as AmbassadorPlan;
    assert.deepEqual([withUserNetwork.network, withUserNetwork.targetAddress], ['appnet', 'web']);
  });

  it('a local engine whose container IPs are not routable (a VM): an ambassador published on loopback', () => {
    const plan = planTransport(localHost, web({ networks: [appnet] }), 80, false) as AmbassadorPlan;
    assert.equal(plan.kind, 'ambassador');
    assert.equal(plan.publishAddress, '127.0.0.1', 'Docker Desktop, Colima and Podman machine forward loopback-published ports');
  });

  const failures: Array<{ name: string; target: ContainerDetails; port: number; reason: ForwardErrorReason }> = [
    { name: 'a stopped container', target: web({ state: 'exited' }), port: 80, reason: 'targetUnreachable' },
    { name: 'a container without an address', target: web({ networks: [{ name: 'none', aliases: [] }] }), port: 80, reason: 'noTransport' },
    { name: 'port 0', target: web(), port: 0, reason: 'invalidPort' },
  ];
  for (const { name, target, port, reason } of failures) {
    it(`refuses ${name} with ForwardError ${reason}`, () => {
      assert.throws(
        () => planTransport(tcpHost, target, port, false),
        (error: unknown) => ForwardError.is(error, reason),
      );
    });
  }
});

describe('ambassadorCreateBody (unit)', () => {
  it('runs tuned socat, publishes only on the host address, restarts unless stopped', () => {
    const plan = planTransport(tcpHost, web(), 80, false) as AmbassadorPlan;
    const body = ambassadorCreateBody(plan, '10.231.0.11');
    assert.deepEqual(body.Entrypoint, ['socat']);
    assert.deepEqual(body.Cmd, [
      '-t',
      '3600',
      '-b',
      '262144',
      'TCP-LISTEN:80,fork,reuseaddr,backlog=512,max-children=4096,keepalive,nodelay',
      'TCP:172.17.0.5:80,keepalive,nodelay',
    ]);
    assert.deepEqual(body.HostConfig?.PortBindings, { '80/tcp': [{ HostIp: '10.231.0.11', HostPort: '' }] });
    assert.deepEqual(body.HostConfig?.RestartPolicy, { Name: 'unless-stopped' });
    assert.equal(body.HostConfig?.NetworkMode, 'bridge');
    assert.equal(body.Labels?.['crosslink.role'], 'tunnel-ambassador');
  });
});
