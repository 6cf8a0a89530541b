import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HostError } from '../../src/core/errors';
import { silentLogger } from '../../src/core/like';
import { DockerodeClient, defaultDockerodeClientOptions } from '../../src/core/hosts/dockerodeClient';
import { parseHostEntry } from '../../src/core/hosts/hostSpec';
import { ContainerModel } from '../../src/core/model/containerModel';

/**
 * A stand-in for Podman 4.3's Docker-compatible service, as far as connecting goes: it names
 * itself in /version's Components and, like Podman, rejects an empty `filters=` parameter.
 */
function podmanLike(options: { rejectAllLists?: boolean } = {}): Promise<{ server: http.Server; url: string; queries: string[] }> {
  const queries: string[] = [];
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://podman');
    const path = url.pathname.replace(/^\/v[\d.]+/, '');
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (path === '/version') {
      return json(200, {
        Platform: { Name: 'linux/amd64/debian-12' },
        Components: [{ Name: 'Podman Engine', Version: '4.3.1' }],
        Version: '4.3.1',
        ApiVersion: '1.41',
        Os: 'linux',
        Arch: 'amd64',
        KernelVersion: '6.1.0-18-amd64',
      });
    }
    if (path === '/events') {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.flushHeaders();
      return; // open until the client goes
    }
    if (path === '/containers/json') {
      queries.push(url.search);
      if (options.rejectAllLists || url.searchParams.get('filters') === '') {
        return json(500, { cause: 'unexpected end of JSON input', message: 'failed to decode filter parameters: unexpected end of JSON input', response: 500 });
      }
      return json(200, []);
    }
    return json(404, { message: `no such path ${path}` });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `tcp://127.0.0.1:${(server.address() as AddressInfo).port}`, queries })));
}

describe('Podman-compatible engine (unit)', () => {
  const servers: http.Server[] = [];
  const models: ContainerModel[] = [];
  afterEach(() => {
    models.splice(0).forEach((model) => model.dispose());
    servers.splice(0).forEach((server) => server.close());
  });

  async function connect(options: { rejectAllLists?: boolean } = {}) {
    const fake = await podmanLike(options);
    servers.push(fake.server);
    const model = new ContainerModel((spec) => new DockerodeClient(spec, silentLogger, { ...defaultDockerodeClientOptions(), callTimeoutMs: 2000 }), silentLogger, {
      eventDebounceMs: 5,
      retryDelaysMs: [60_000],
    });
    models.push(model);
    await model.setHosts([parseHostEntry({ name: 'gamma', url: fake.url })]);
    return { model, queries: fake.queries };
  }

  it('lists containers without an empty filters= parameter, and names the engine Podman', async () => {
    const { model, queries } = await connect();
    const gamma = model.host('gamma');
    assert.equal(gamma?.state, 'connected', gamma?.error?.message);
    assert.equal(gamma?.engine?.engine, 'Podman');
    assert.equal(gamma?.engine?.version, '4.3.1');
    assert.deepEqual(queries, ['?all=true'], 'the full list sends no filters at all');
  });

  it("shows an engine that refuses a call Crosslink needs as incompatible, with the engine's own message, not as unreachable", async () => {
    const { model } = await connect({ rejectAllLists: true });
    const gamma = model.host('gamma');
    assert.ok(HostError.is(gamma?.error, 'incompatible'), `${gamma?.error?.reason}: ${gamma?.error?.message}`);
    assert.match(gamma?.error?.message ?? '', /Podman 4\.3\.1 refused the container list \(failed to decode filter parameters/);
  });
});
