import * as assert from 'node:assert/strict';
import { testProvenance } from '../support/provenance';
import { execFileSync } from 'node:child_process';
import { clientAmbassadorLabels, crossLinkOf, serverAmbassadorLabels } from '../../src/core/values/labels';
import { CrossLinkOperations } from '../../src/core/ambassadors/crossLinkOperations';
import { silentLogger } from '../../src/core/like';
import { LinkOperations } from '../../src/core/links/linkOperations';
import type { HostSpec } from '../../src/core/hosts/hostSpec';
import type { HostSnapshot } from '../../src/core/hosts/hostDirectory';
import type { ContainerDetails, ImageConfig, NetworkSummary } from '../../src/core/types';
import { FakeDockerClient } from './fakes/fakeDockerClient';
import { inspectDocument } from './fakes/inspectDocument';

const socatImage: ImageConfig = { env: [], cmd: null, entrypoint: ['socat'], labels: {}, exposedPorts: [], workingDir: '', user: '' };

/** A host whose containers are whole inspect documents, for the commands a link is copied as. */
function inspectingClient(hostName: string, networks: NetworkSummary[], image = socatImage): FakeDockerClient & { add(details: ContainerDetails): void } {
  const documents: ContainerDetails[] = [];
  const client = new FakeDockerClient(hostName);
  return Object.assign(client, {
    add(details: ContainerDetails) {
      documents.push(details);
      client.containers.set(details.id, details);
    },
    inspectContainer: async (idOrName: string) => {
      const found = documents.find((details) => details.id === idOrName || details.name === idOrName);
      if (!found) {
        throw new Error(`no such container ${idOrName}`);
      }
      return found;
    },
    imageConfig: async () => image,
    listNetworks: async () => networks,
    listVolumes: async () => [],
  });
}

function ambassador(name: string, labels: Record<string, string>, network: string | undefined, extra: { hostConfig?: object; alias?: string } = {}): ContainerDetails {
  const details = inspectDocument(name, {
    config: { Image: 'alpine/socat:latest', Entrypoint: ['socat'], Cmd: ['-t', '30', 'TCP-LISTEN:5432,fork,reuseaddr', 'TCP:upstream:5432'], Labels: labels, Env: [] },
    hostConfig: { NetworkMode: network ?? 'default', RestartPolicy: { Name: 'unless-stopped' }, ...extra.hostConfig },
    networks: network ? { [network]: { Aliases: extra.alias ? [extra.alias] : null } } : undefined,
  });
  return { ...details, labels };
}

const managedNetwork = (name: string): NetworkSummary => ({
  id: name,
  name,
  driver: 'bridge',
  labels: { 'crosslink.managed': 'true', 'crosslink.role': 'ambassador-network' },
  containers: {},
});

function setup(mode: 'network' | 'link', clientUrl = 'ssh://root@10.231.0.12') {
  const target = { host: 'alpha', container: 'db', port: 5432 };
  const alpha = inspectingClient('alpha', [managedNetwork('crosslink-db')]);
  const beta = inspectingClient('beta', mode === 'network' ? [managedNetwork('crosslink-app')] : []);
  alpha.add(inspectDocument('db', { networks: { bridge: { Aliases: null }, 'crosslink-db': { Aliases: null } } }));
  alpha.add(
    ambassador('crosslink-srv-db-5432', serverAmbassadorLabels(target, { name: 'crosslink-db', joined: true, created: true }), 'crosslink-db', {
      hostConfig: { PortBindings: { '5432/tcp': [{ HostIp: '10.231.0.11', HostPort: '5432' }] } },
    }),
  );
  const link = { target, client: { host: 'beta', container: 'app' }, alias: 'pg', mode, upstream: { address: '10.231.0.11', port: 5432 } };
  beta.add(
    inspectDocument('app', {
      config: { Env: ['PATH=/bin', 'APP_SECRET=s3cret'] },
      hostConfig: mode === 'link' ? { Links: ['/crosslink-cli-app-pg:/app/pg'] } : {},
      networks: mode === 'network' ? { bridge: { Aliases: null }, 'crosslink-app': { Aliases: null } } : undefined,
    }),
  );
  const clientAmbassador =
    mode === 'network'
      ? ambassador('crosslink-cli-app-pg', clientAmbassadorLabels(link, { name: 'crosslink-app', joined: true, created: true }), 'crosslink-app', { alias: 'pg' })
      : ambassador('crosslink-cli-app-pg', clientAmbassadorLabels(link), undefined);
  beta.add(clientAmbassador);
  const clients: Record<string, FakeDockerClient> = { alpha, beta };
  const urls: Record<string, string> = { alpha: 'tcp://10.231.0.11:2376', beta: clientUrl };
  const operations = new CrossLinkOperations(
    {
      client: (host) => clients[host],
      spec: (host) => ({ name: host, url: urls[host] }) as HostSpec,
      connectedHosts: () => ['alpha', 'beta'],
      hosts: () => ['alpha', 'beta'].map((name) => ({ state: 'connecting', spec: { name } }) as HostSnapshot),
    },
    silentLogger,
    () => 'alpine/socat:latest',
    testProvenance(),
  );
  return { operations, link: crossLinkOf('beta', clientAmbassador)! };
}

describe('cross-host link as docker commands (unit)', () => {
  it('gives the whole link per host: networks, the joins, both ambassadors with their labels', async () => {
    const { operations, link } = setup('network');
    const { lines } = await operations.dockerCommands(link);
    const index = (pattern: RegExp) => lines.findIndex((line) => pattern.test(line));
    assert.match(lines[0], /^# on alpha \(tcp:\/\/10\.231\.0\.11:2376\)/);
    const alphaLines = lines.slice(1, index(/^# on beta/));
    assert.deepEqual(
      alphaLines.map((line) => line.split(' ').slice(0, 3).join(' ').replace(/ -d$/, '')),
      ['docker network create', 'docker network connect', 'docker run'],
      'the network, the target joining it, then the ambassador',
    );
    assert.equal(alphaLines[1], 'docker network connect crosslink-db db');
    assert.match(alphaLines[2], / --label crosslink.role=server-ambassador /);
    assert.match(alphaLines[2], / --label crosslink.target=alpha\/db:5432 /);
    assert.match(alphaLines[2], / -p 10.231.0.11:5432:5432 /);
    assert.match(alphaLines[2], / --network crosslink-db /);
    const betaLines = lines.slice(index(/^# on beta/) + 1);
    assert.equal(betaLines[1], 'docker network connect crosslink-app app');
    assert.match(betaLines[2], / --label crosslink.role=client-ambassador .* --network crosslink-app --network-alias pg --restart unless-stopped alpine\/socat:latest -t 30/);
  });

  it('in link mode gives the client again with its --link, masked', async () => {
    const { operations, link } = setup('link');
    const { lines, maskedValues } = await operations.dockerCommands(link);
    const run = lines[lines.length - 1];
    assert.match(run, /^docker run -d --name app .*-e 'APP_SECRET=<redacted>' .*--link crosslink-cli-app-pg:pg /);
    assert.match(lines[lines.length - 2], /^# app reaches pg through a legacy link/);
    assert.equal(maskedValues, 1);
    assert.equal((await operations.dockerCommands(link, { includeSecrets: true })).maskedValues, 0);
  });

  it('makes a comment of a host URL with a newline in it, so pasting runs nothing', async () => {
    const { operations, link } = setup('network', 'ssh://x\ntouch${IFS}/tmp/pwned\n:22');
    const { lines } = await operations.dockerCommands(link);
    const header = lines.find((line) => line.startsWith('# on beta'))!;
    assert.equal(header.split('\n').length, 1);
    const script = `docker() { echo docker "$@"; }\n${lines.join('\n')}`;
    const output = execFileSync('sh', ['-c', script], { encoding: 'utf8' });
    assert.ok(
      output
        .split('\n')
        .filter(Boolean)
        .every((line) => line.startsWith('docker ')),
      output,
    );
  });

  it('a network alias on one host: the network (with its driver and labels), then the container joining it with the alias', async () => {
    const appnet: NetworkSummary = { id: 'n1', name: 'appnet', driver: 'macvlan', labels: { team: 'a' }, containers: {} };
    const alpha = inspectingClient('alpha', [appnet], { ...socatImage, entrypoint: null, env: ['PATH=/bin'], cmd: ['sh'] });
    alpha.add(inspectDocument('api', { networks: { bridge: { Aliases: null }, appnet: { Aliases: ['backend'] } } }));
    const { lines } = await new LinkOperations('alpha', alpha, silentLogger).networkAliasDockerCommands('api', 'appnet');
    assert.deepEqual(lines, [
      'docker network create --driver macvlan --label team=a appnet',
      'docker run -d --name api crosslink/fixture:latest sleep 600',
      'docker network connect --alias backend appnet api',
    ]);
  });
});
