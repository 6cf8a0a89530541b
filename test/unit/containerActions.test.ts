import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { ContainerActionError, actionStates, applyContainerAction, openLogs, openShell, planContainerAction } from '../../src/core/containers/containerActions';
import { DockerStreamDemuxer, type OutputChunk } from '../../src/core/hosts/dockerStream';
import type { DockerClient } from '../../src/core/hosts/dockerClient';
import { DockerodeClient, defaultDockerodeClientOptions } from '../../src/core/hosts/dockerodeClient';
import { parseHostEntry } from '../../src/core/hosts/hostSpec';
import { HostError } from '../../src/core/errors';
import { silentLogger } from '../../src/core/like';
import { withoutHostPrefix } from '../../src/core/hosts/translateError';
import { hasLinksOrAliases } from '../../src/core/model/containerChildren';
import { countOf } from '../../src/core/plural';
import type { ContainerDetails, ContainerState, ContainerSummary } from '../../src/core/types';
import { FakeDockerClient, container } from './fakes/fakeDockerClient';

function frame(type: number, text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

async function demux(chunks: Buffer[]): Promise<Array<[OutputChunk['stream'], string]>> {
  const output: Array<[OutputChunk['stream'], string]> = [];
  const demuxer = Readable.from(chunks).pipe(new DockerStreamDemuxer());
  for await (const chunk of demuxer as AsyncIterable<OutputChunk>) {
    output.push([chunk.stream, chunk.data.toString('utf8')]);
  }
  return output;
}

function details(summary: ContainerSummary, mounts: unknown[]): ContainerDetails {
  return { ...summary, links: [], hostname: '', raw: { Mounts: mounts } };
}

const anonymousVolume = 'a'.repeat(64);

/** A fake engine that records lifecycle calls and answers inspect with the state they lead to. */
function recordingClient(): FakeDockerClient & { calls: string[] } {
  const client = Object.assign(new FakeDockerClient('alpha'), { calls: [] as string[] });
  // Assigned through the interface: the fake's own fields are typed as "not faked".
  const engine: DockerClient = client;
  const setState = (id: string, state: ContainerState) => {
    const current = client.containers.get(id);
    if (current) {
      client.containers.set(id, { ...current, state });
    }
  };
  engine.startContainer = async (id: string) => {
    client.calls.push(`start ${id}`);
    setState(id, 'running');
  };
  engine.stopContainer = async (id: string) => {
    client.calls.push(`stop ${id}`);
    setState(id, 'exited');
  };
  engine.restartContainer = async (id: string) => {
    client.calls.push(`restart ${id}`);
    setState(id, 'running');
  };
  engine.removeContainer = async (id: string, options?: { force?: boolean; removeVolumes?: boolean }) => {
    client.calls.push(`remove ${id} ${JSON.stringify(options)}`);
    client.containers.delete(id);
  };
  return client;
}

describe('countOf', () => {
  it('says "1 container" and "0 containers", and takes an irregular plural', () => {
    assert.equal(countOf(1, 'container'), '1 container');
    assert.equal(countOf(0, 'container'), '0 containers');
    assert.equal(countOf(2, 'host'), '2 hosts');
    assert.equal(countOf(3, 'proxy', 'proxies'), '3 proxies');
  });
});

describe('withoutHostPrefix', () => {
  it('drops the host name a message starts with, and only that', () => {
    assert.equal(withoutHostPrefix('alpha', 'alpha: connection refused'), 'connection refused');
    assert.equal(withoutHostPrefix('alpha', 'alphabet: x'), 'alphabet: x');
  });
});

describe('hasLinksOrAliases', () => {
  const inspected = (overrides: Partial<ContainerDetails>): ContainerDetails => ({ ...container('c1', 'web'), links: [], hostname: 'c1', raw: {}, ...overrides });

  it('is false for a container with only its own name, so its row gets no expand arrow', () => {
    assert.equal(hasLinksOrAliases(inspected({ networks: [{ name: 'appnet', aliases: ['web'] }] })), false);
    assert.equal(hasLinksOrAliases(inspected({})), false);
  });

  it('is true for a legacy link or an alias', () => {
    assert.equal(hasLinksOrAliases(inspected({ links: ['database:db'] })), true);
    assert.equal(hasLinksOrAliases(inspected({ networks: [{ name: 'appnet', aliases: ['web', 'frontend'] }] })), true);
  });
});

describe('DockerStreamDemuxer', () => {
  it('splits stdout and stderr frames, several per chunk and one across chunks', async () => {
    const bytes = Buffer.concat([frame(1, 'out 1\n'), frame(2, 'err 1\n'), frame(1, 'out 2\n')]);
    // Cut inside the second header and inside the third payload.
    const chunks = [bytes.subarray(0, 17), bytes.subarray(17, 30), bytes.subarray(30)];
    assert.deepEqual(await demux(chunks), [
      ['stdout', 'out 1\n'],
      ['stderr', 'err 1\n'],
      ['stdout', 'out 2\n'],
    ]);
  });

  it('reads a frame fed one byte at a time, multi-byte characters included', async () => {
    const bytes = frame(1, 'grüße ✓\n');
    assert.deepEqual(await demux([...bytes].map((byte) => Buffer.from([byte]))), [['stdout', 'grüße ✓\n']]);
  });

  it('keeps empty frames harmless and shows an unknown stream type as stdout', async () => {
    assert.deepEqual(await demux([Buffer.concat([frame(1, ''), frame(3, 'new kind'), frame(0, 'stdin echo')])]), [
      ['stdout', ''],
      ['stdout', 'new kind'],
      ['stdout', 'stdin echo'],
    ]);
  });

  it('shows what arrived of a frame cut off by the end of the stream', async () => {
    const bytes = frame(2, 'partial line');
    assert.deepEqual(await demux([bytes.subarray(0, 12)]), [['stderr', 'part']]);
  });
});

describe('planContainerAction', () => {
  const web = container('c1', 'web');

  it('plans start, stop and restart by state, and treats "already there" as nothing to do', () => {
    assert.equal(planContainerAction('stop', 'alpha', web).noop, false);
    assert.equal(planContainerAction('start', 'alpha', web).noop, true);
    assert.equal(planContainerAction('start', 'alpha', web).done, 'alpha/web is already running.');
    assert.equal(planContainerAction('stop', 'alpha', { ...web, state: 'exited' }).noop, true);
    assert.equal(planContainerAction('restart', 'alpha', { ...web, state: 'exited' }).done, 'Restarted alpha/web.');
  });

  it('refuses what the state does not allow, saying what to do', () => {
    assert.throws(
      () => planContainerAction('start', 'alpha', { ...web, state: 'paused' }),
      (error: unknown) => ContainerActionError.is(error, 'invalidState') && /Unpause/.test(error.message),
    );
    assert.throws(
      () => planContainerAction('restart', 'alpha', { ...web, state: 'dead' }),
      (error: unknown) => ContainerActionError.is(error, 'invalidState'),
    );
  });

  it('asks before removing, names the container once and the volumes it keeps, and forces a running one', () => {
    const plan = planContainerAction(
      'remove',
      'alpha',
      web,
      details(web, [
        { Type: 'volume', Name: anonymousVolume, Destination: '/data' },
        { Type: 'volume', Name: 'pgdata', Destination: '/var/lib/pg' },
        { Type: 'bind', Source: '/srv', Destination: '/srv' },
      ]),
    );
    assert.equal(plan.force, true);
    assert.equal(plan.confirmation?.message, 'Remove the container alpha/web?');
    assert.match(plan.confirmation?.detail ?? '', /It is running; it is stopped first\./);
    assert.match(plan.confirmation?.detail ?? '', /its 1 anonymous volume \(\/data\) and the 1 named volume pgdata/);
    assert.equal(plan.done, 'Removed alpha/web (its 2 volumes kept).');
    const stopped = planContainerAction('remove', 'alpha', { ...web, state: 'exited' }, details(web, []));
    assert.equal(stopped.force, false);
    assert.equal(stopped.done, 'Removed alpha/web.');
  });

  it("refuses to remove Crosslink's ambassadors and helpers, pointing to what removes them", () => {
    const managed = (role: string, labels: Record<string, string> = {}) =>
      container('a1', `crosslink-${role}`, { labels: { 'crosslink.managed': 'true', 'crosslink.role': role, ...labels } });
    const cases: Array<[ContainerSummary, RegExp]> = [
      [
        managed('client-ambassador', { 'crosslink.client': 'beta/bw', 'crosslink.target': 'alpha/oracle:1521' }),
        /client-side ambassador of the link beta\/bw → alpha\/oracle:1521.*Remove Link/,
      ],
      [managed('server-ambassador', { 'crosslink.target': 'alpha/oracle:1521' }), /server-side ambassador of alpha\/oracle:1521.*Remove Link/],
      [managed('tunnel-ambassador', { 'crosslink.target': 'alpha/web:80' }), /Stop Tunnel/],
      [managed('verify-helper'), /removes itself/],
    ];
    for (const [ambassador, message] of cases) {
      assert.throws(
        () => planContainerAction('remove', 'alpha', ambassador, details(ambassador, [])),
        (error: unknown) => ContainerActionError.is(error, 'managedByCrosslink') && message.test(error.message),
      );
    }
    // Stopping or restarting an ambassador is allowed: its link shows it, and Repair brings it back.
    assert.equal(planContainerAction('restart', 'alpha', cases[0][0]).noop, false);
  });
});

describe('applyContainerAction', () => {
  it('makes one Docker call per action and returns the state the engine then reports', async () => {
    const client = recordingClient();
    client.containers.set('c1', container('c1', 'web', { state: 'exited' }));
    assert.equal(await applyContainerAction(client, planContainerAction('start', 'alpha', client.containers.get('c1')!)), 'running');
    assert.equal(await applyContainerAction(client, planContainerAction('restart', 'alpha', client.containers.get('c1')!)), 'running');
    assert.equal(await applyContainerAction(client, planContainerAction('stop', 'alpha', client.containers.get('c1')!)), 'exited');
    assert.deepEqual(client.calls, ['start c1', 'restart c1', 'stop c1']);
  });

  it('does nothing for a no-op plan, and removes without the volumes', async () => {
    const client = recordingClient();
    const web = container('c1', 'web');
    client.containers.set('c1', web);
    assert.equal(await applyContainerAction(client, planContainerAction('start', 'alpha', web)), 'running');
    assert.deepEqual(client.calls, []);
    assert.equal(await applyContainerAction(client, planContainerAction('remove', 'alpha', web, details(web, []))), 'removed');
    assert.deepEqual(client.calls, ['remove c1 {"force":true,"removeVolumes":false}']);
  });

  it('lets an engine error through unchanged, so its reason reaches the caller', async () => {
    const client = recordingClient();
    const failure = new Error('engine said no');
    (client as DockerClient).stopContainer = async () => {
      throw failure;
    };
    await assert.rejects(applyContainerAction(client, planContainerAction('stop', 'alpha', container('c1', 'web'))), (error) => error === failure);
  });
});

describe('openShell and openLogs', () => {
  function shellClient(bashPath: string | undefined) {
    const client: DockerClient = new FakeDockerClient('alpha');
    const execs: string[][] = [];
    client.exec = async (_id: string, command: string[]) => {
      execs.push(command);
      return bashPath ? { exitCode: 0, stdout: `${bashPath}\n`, stderr: '' } : { exitCode: 1, stdout: '', stderr: '' };
    };
    client.execInteractive = async (_id: string, command: string[], options: { tty: boolean }) => {
      execs.push([...command, `tty=${options.tty}`]);
      return { output: new PassThrough(), input: new PassThrough(), resize: async () => undefined, exitCode: async () => 0, dispose: () => undefined };
    };
    return { client, execs };
  }

  it('starts bash with a TTY when the image has it, else sh', async () => {
    for (const [bashPath, shell] of [
      ['/bin/bash', 'bash'],
      [undefined, 'sh'],
    ] as const) {
      const { client, execs } = shellClient(bashPath);
      assert.equal((await openShell(client, 'alpha', container('c1', 'web'))).shell, shell);
      assert.deepEqual(execs.at(-1), [shell, 'tty=true']);
    }
  });

  it('refuses a shell in a container that is not running, before any exec', async () => {
    const { client, execs } = shellClient('/bin/bash');
    await assert.rejects(openShell(client, 'alpha', container('c1', 'web', { state: 'exited' })), (error: unknown) => ContainerActionError.is(error, 'notRunning'));
    assert.deepEqual(execs, []);
  });

  it('follows the logs of a running container only', async () => {
    const client: DockerClient = new FakeDockerClient('alpha');
    const asked: Array<{ follow: boolean; tail?: number }> = [];
    client.logs = async (_id: string, options: { follow: boolean; tail?: number }) => {
      asked.push(options);
      return new PassThrough();
    };
    await openLogs(client, container('c1', 'web'));
    await openLogs(client, container('c1', 'web', { state: 'exited' }));
    assert.deepEqual(asked, [
      { follow: true, tail: 500 },
      { follow: false, tail: 500 },
    ]);
  });
});

describe('container menus in package.json', () => {
  const menus = (
    JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
      contributes: { menus: { 'view/item/context': Array<{ command: string; when: string }> } };
    }
  ).contributes.menus['view/item/context'];
  const states: ContainerState[] = ['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead'];

  /** The states whose `container.<state>` row shows the command, from its `viewItem =~ /…/` clause. */
  function shownFor(command: string): ContainerState[] {
    const entry = menus.find((menu) => menu.command === command && /viewItem =~ \/\^container/.test(menu.when));
    assert.ok(entry, `${command} has no container menu entry`);
    const pattern = new RegExp(/viewItem =~ \/(.+)\//.exec(entry.when)![1]);
    return states.filter((state) => pattern.test(`container.${state}`));
  }

  it('offers each action exactly in the states where the core allows it', () => {
    assert.deepEqual(shownFor('crosslink.startContainer').sort(), [...actionStates.start].sort());
    assert.deepEqual(shownFor('crosslink.stopContainer').sort(), [...actionStates.stop].sort());
    assert.deepEqual(shownFor('crosslink.restartContainer').sort(), [...actionStates.restart].sort());
    assert.deepEqual(shownFor('crosslink.removeContainer').sort(), [...actionStates.remove].sort());
    assert.deepEqual(shownFor('crosslink.openShell').sort(), [...actionStates.shell].sort());
  });
});

describe('container actions against an engine that never answers', () => {
  let server: net.Server;
  let client: DockerodeClient;
  const sockets = new Set<net.Socket>();

  before(async () => {
    // Accepts connections and reads requests, but never replies: a hung engine or a dropped reply.
    server = net.createServer((socket) => {
      sockets.add(socket);
      socket.resume();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    client = new DockerodeClient(parseHostEntry({ name: 'silent', url: `tcp://127.0.0.1:${port}` }), silentLogger, { ...defaultDockerodeClientOptions(), callTimeoutMs: 300 });
  });

  after(async () => {
    client.dispose();
    sockets.forEach((socket) => socket.destroy());
    await new Promise((resolve) => server.close(resolve));
  });

  it('fails start, restart, logs and shell with HostError timeout instead of hanging', async () => {
    const web = container('c1', 'web', { state: 'exited' });
    const timedOut = (error: unknown) => HostError.is(error, 'timeout');
    await assert.rejects(applyContainerAction(client, planContainerAction('start', 'silent', web)), timedOut);
    await assert.rejects(client.restartContainer('c1', 0), timedOut);
    await assert.rejects(openLogs(client, web), timedOut);
    await assert.rejects(client.execInteractive('c1', ['sh'], { tty: true }), timedOut);
  });
});
