import { createHash } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ambassadorLabel, managedLabels } from '../../src/core/values/labels';

/**
 * A Docker Engine API server on a loopback port, for scale: real HTTP, so the whole dockerode
 * client path (agent, sockets, JSON, the event stream) runs as it does against a remote engine,
 * without the cost of real containers. It answers what watching a host needs: /_ping, /version,
 * /info, /containers/json (with the `id` filter), /containers/{id}/json, /networks and a
 * streaming /events; and it counts what the client opened (sockets, event streams, calls).
 */
export interface FakeEngineOptions {
  name: string;
  containers: number;
  /**
   * Client-side ambassadors among them, each of a cross-host link to a container of `linkTargetHost`
   * (as Crosslink labels them), so the tree's cross-link rows are part of the load.
   */
  ambassadors?: number;
  linkTargetHost?: string;
}

interface FakeContainer {
  id: string;
  name: string;
  state: 'running' | 'exited';
  labels: Record<string, string>;
  ip: string;
  created: number;
}

export interface FakeEngineStats {
  /** Sockets open now, the most open at once, and all ever opened. */
  sockets: { open: number; peak: number; total: number };
  /** Event streams open now, the most open at once, and all ever opened. */
  eventStreams: { open: number; peak: number; total: number };
  /** Calls by route ("GET /containers/json", "GET /containers/{id}/json", …). */
  calls: Record<string, number>;
}

export class FakeDockerEngine {
  readonly containers: FakeContainer[] = [];
  private readonly byId = new Map<string, FakeContainer>();
  private readonly streams = new Set<http.ServerResponse>();
  private readonly stats: FakeEngineStats = { sockets: { open: 0, peak: 0, total: 0 }, eventStreams: { open: 0, peak: 0, total: 0 }, calls: {} };
  private inFlight = 0;
  private server!: http.Server;
  url = '';

  private constructor(readonly options: FakeEngineOptions) {
    for (let index = 0; index < options.containers; index++) {
      const name = `${options.name}-c${index}`;
      const ambassador = index < (options.ambassadors ?? 0) && options.linkTargetHost;
      const labels: Record<string, string> = ambassador
        ? managedLabels('client-ambassador', {
            [ambassadorLabel.target]: `${options.linkTargetHost}/${options.linkTargetHost}-c${index + 100}:80`,
            [ambassadorLabel.client]: `${options.name}/${options.name}-c${index + 100}`,
            [ambassadorLabel.alias]: `svc${index}`,
            [ambassadorLabel.mode]: 'network',
            [ambassadorLabel.upstream]: `10.231.0.11:${30000 + index}`,
          })
        : { 'com.example.app': options.name, 'com.example.index': String(index) };
      const container: FakeContainer = {
        id: createHash('sha256').update(name).digest('hex'),
        name,
        state: index % 5 === 4 ? 'exited' : 'running',
        labels,
        ip: `172.17.${Math.floor(index / 250)}.${(index % 250) + 2}`,
        created: 1_700_000_000 + index,
      };
      this.containers.push(container);
      this.byId.set(container.id, container);
    }
  }

  static async start(options: FakeEngineOptions): Promise<FakeDockerEngine> {
    const engine = new FakeDockerEngine(options);
    await engine.listen();
    return engine;
  }

  /** A `crosslink.hosts` entry for this engine. */
  get setting(): { name: string; url: string } {
    return { name: this.options.name, url: this.url };
  }

  snapshot(): FakeEngineStats {
    return structuredClone(this.stats);
  }

  /** Calls being answered (the event stream aside); 0 means the client has nothing outstanding here. */
  get busy(): number {
    return this.inFlight;
  }

  /**
   * Flips the state of `count` containers (running ↔ exited) and sends one event for each, as
   * `docker stop`/`start` would. Returns the ids and their new states.
   */
  flip(count: number, from = 0): Array<{ id: string; state: FakeContainer['state'] }> {
    const changed = this.containers.slice(from, from + count).map((container) => {
      container.state = container.state === 'running' ? 'exited' : 'running';
      this.send(container, container.state === 'running' ? 'start' : 'die');
      return { id: container.id, state: container.state };
    });
    return changed;
  }

  close(): Promise<void> {
    for (const stream of this.streams) {
      stream.end();
    }
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private send(container: FakeContainer, action: string): void {
    const now = Date.now();
    const line = `${JSON.stringify({
      status: action,
      id: container.id,
      from: 'crosslink/fixture:latest',
      Type: 'container',
      Action: action,
      Actor: { ID: container.id, Attributes: { name: container.name, image: 'crosslink/fixture:latest' } },
      scope: 'local',
      time: Math.floor(now / 1000),
      timeNano: now * 1e6,
    })}\n`;
    for (const stream of this.streams) {
      stream.write(line);
    }
  }

  private listen(): Promise<void> {
    this.server = http.createServer((request, response) => this.answer(request, response));
    this.server.keepAliveTimeout = 60_000;
    this.server.on('connection', (socket) => {
      const sockets = this.stats.sockets;
      sockets.open++;
      sockets.total++;
      sockets.peak = Math.max(sockets.peak, sockets.open);
      socket.on('close', () => sockets.open--);
    });
    return new Promise((resolve) =>
      this.server.listen(0, '127.0.0.1', () => {
        this.url = `tcp://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
        resolve();
      }),
    );
  }

  private answer(request: http.IncomingMessage, response: http.ServerResponse): void {
    const url = new URL(request.url ?? '/', 'http://engine');
    const path = url.pathname.replace(/^\/v[\d.]+/, '');
    const route = `${request.method} ${path.replace(/^\/containers\/[^/]+\/json$/, '/containers/{id}/json')}`;
    this.stats.calls[route] = (this.stats.calls[route] ?? 0) + 1;
    if (path !== '/events') {
      this.inFlight++;
      response.on('close', () => this.inFlight--);
    }
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { 'Content-Type': 'application/json', 'Api-Version': '1.43' });
      response.end(JSON.stringify(body));
    };
    if (path === '/_ping') {
      response.writeHead(200, { 'Content-Type': 'text/plain', 'Api-Version': '1.43' });
      response.end('OK');
      return;
    }
    if (path === '/version') {
      return json(200, {
        Platform: { Name: 'Docker Engine - Community' },
        Components: [{ Name: 'Engine', Version: '24.0.7' }],
        Version: '24.0.7',
        ApiVersion: '1.43',
        MinAPIVersion: '1.12',
        Os: 'linux',
        Arch: 'amd64',
        KernelVersion: '6.1.0',
      });
    }
    if (path === '/info') {
      return json(200, { ID: `FAKE:${this.options.name}`, Name: this.options.name, OperatingSystem: 'Fake Engine', KernelVersion: '6.1.0', Containers: this.containers.length });
    }
    if (path === '/networks') {
      return json(200, [{ Name: 'bridge', Id: 'net-bridge', Driver: 'bridge', Scope: 'local', Labels: {}, Containers: {} }]);
    }
    if (path === '/events') {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.flushHeaders();
      const streams = this.stats.eventStreams;
      this.streams.add(response);
      streams.open++;
      streams.total++;
      streams.peak = Math.max(streams.peak, streams.open);
      response.on('close', () => {
        this.streams.delete(response);
        streams.open--;
      });
      return; // open until the client goes
    }
    if (path === '/containers/json') {
      const ids = (JSON.parse(url.searchParams.get('filters') || '{}') as { id?: string[] }).id;
      const listed = ids ? ids.map((id) => this.byId.get(id)).filter((container) => container !== undefined) : this.containers;
      return json(
        200,
        listed.map((container) => this.summary(container)),
      );
    }
    const inspect = /^\/containers\/([^/]+)\/json$/.exec(path);
    if (inspect) {
      const container = this.byId.get(inspect[1]) ?? this.containers.find((candidate) => candidate.name === inspect[1]);
      return container ? json(200, this.details(container)) : json(404, { message: `No such container: ${inspect[1]}` });
    }
    return json(404, { message: `page not found: ${path}` });
  }

  private summary(container: FakeContainer): unknown {
    return {
      Id: container.id,
      Names: [`/${container.name}`],
      Image: 'crosslink/fixture:latest',
      ImageID: 'sha256:fixture',
      Command: 'sleep infinity',
      Created: container.created,
      State: container.state,
      Status: container.state === 'running' ? 'Up 2 hours' : 'Exited (0) 1 hour ago',
      Ports: [],
      Labels: container.labels,
      HostConfig: { NetworkMode: 'bridge' },
      NetworkSettings: { Networks: { bridge: { IPAddress: container.state === 'running' ? container.ip : '', Aliases: null, NetworkID: 'net-bridge' } } },
      Mounts: [],
    };
  }

  private details(container: FakeContainer): unknown {
    return {
      Id: container.id,
      Name: `/${container.name}`,
      Created: new Date(container.created * 1000).toISOString(),
      Image: 'sha256:fixture',
      State: { Status: container.state, Running: container.state === 'running', ExitCode: 0 },
      Config: { Hostname: container.id.slice(0, 12), Image: 'crosslink/fixture:latest', Labels: container.labels, Env: [], Cmd: ['sleep', 'infinity'] },
      HostConfig: { NetworkMode: 'bridge', Links: null, Binds: null },
      NetworkSettings: { Networks: { bridge: { IPAddress: container.state === 'running' ? container.ip : '', Aliases: null, NetworkID: 'net-bridge' } }, Ports: {} },
      Mounts: [],
    };
  }
}
