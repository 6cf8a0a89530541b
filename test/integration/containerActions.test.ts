import * as assert from 'node:assert/strict';
import type { Readable } from 'node:stream';
import { ContainerActionError, type LifecycleAction, applyContainerAction, openLogs, openShell, planContainerAction } from '../../src/core/containers/containerActions';
import type { OutputChunk } from '../../src/core/hosts/dockerStream';
import { DockerApiError } from '../../src/core/errors';
import { DockerodeClient } from '../../src/core/hosts/dockerodeClient';
import { parseHostEntry } from '../../src/core/hosts/hostSpec';
import { docker, removeContainer, testbedHost } from '../support/testbed';
import { waitFor } from '../support/waitFor';
import { RecordingLogger, settingFor, testbed, testbedSshFiles, uniqueName } from './harness';

/** Collects a stream's chunks as text per stream, so a test can wait for what it expects. */
function collect(output: Readable): { stdout: () => string; stderr: () => string; closed: () => boolean } {
  const text = { stdout: '', stderr: '' };
  let closed = false;
  output.on('data', (chunk: OutputChunk) => (text[chunk.stream] += chunk.data.toString('utf8')));
  output.on('close', () => (closed = true));
  output.on('error', () => undefined);
  return { stdout: () => text.stdout, stderr: () => text.stderr, closed: () => closed };
}

for (const hostName of ['alpha', 'beta']) {
  const host = testbedHost(testbed, hostName, hostName === 'alpha' ? 0 : 1);
  const kind = hostName === 'alpha' ? 'tcp+TLS' : 'ssh';

  describe(`Container actions on ${hostName} (${kind}, integration)`, function () {
    this.timeout(60_000);
    const logger = new RecordingLogger();
    let client: DockerodeClient;
    const created: string[] = [];

    before(() => {
      client = new DockerodeClient(parseHostEntry(settingFor(hostName)), logger, { callTimeoutMs: 10_000, sshFiles: testbedSshFiles() });
    });

    after(() => {
      client.dispose();
      for (const name of created) {
        removeContainer(host, name);
      }
    });

    afterEach(function () {
      if (this.currentTest?.state === 'failed') {
        console.log(logger.lines.join('\n'));
      }
    });

    /** A container that writes a line to stdout and one to stderr every 0.2 s. */
    function ticker(extra: string[] = []): string {
      const name = uniqueName('actions');
      created.push(name);
      const script = 'trap "exit 0" TERM; i=0; while :; do echo "tick $i"; echo "err $i" >&2; i=$((i+1)); sleep 0.2; done';
      docker(host, ['run', '-d', '--pull', 'never', '--stop-timeout', '1', '--name', name, ...extra, testbed.images.fixture, 'sh', '-c', script]);
      return name;
    }

    async function summary(name: string) {
      const [found] = (await client.listContainers()).filter((container) => container.name === name);
      assert.ok(found, `${name} is not listed`);
      return found;
    }

    async function act(action: LifecycleAction, name: string) {
      const container = await summary(name);
      const details = action === 'remove' ? await client.inspectContainer(container.id) : undefined;
      return applyContainerAction(client, planContainerAction(action, hostName, container, details));
    }

    it('stops, starts and restarts a container, each ending in the state the engine reports', async () => {
      const name = ticker();
      assert.equal(await act('stop', name), 'exited');
      assert.equal(docker(host, ['inspect', '-f', '{{.State.Status}}', name]), 'exited');
      assert.equal(await act('stop', name), 'exited', 'stopping a stopped container changes nothing');
      assert.equal(await act('start', name), 'running');
      const startedAt = docker(host, ['inspect', '-f', '{{.State.StartedAt}}', name]);
      assert.equal(await act('restart', name), 'running');
      assert.notEqual(docker(host, ['inspect', '-f', '{{.State.StartedAt}}', name]), startedAt, 'restart started the process again');
    });

    it('follows logs with stdout and stderr apart, and destroying the stream closes it', async () => {
      const name = ticker();
      const output = await openLogs(client, await summary(name), 5);
      const seen = collect(output);
      await waitFor(() => /tick \d+/.test(seen.stdout()) && /err \d+/.test(seen.stderr()), 'stdout and stderr lines', 10_000);
      assert.doesNotMatch(seen.stdout(), /err/, 'stderr lines stay on stderr');
      const lengthBefore = seen.stdout().length;
      await waitFor(() => seen.stdout().length > lengthBefore, 'more lines while following', 5_000);
      output.destroy();
      await waitFor(() => seen.closed(), 'the log stream to close', 5_000);
    });

    it('reads the logs of a stopped container to their end without following', async () => {
      const name = ticker();
      await new Promise((resolve) => setTimeout(resolve, 500));
      await act('stop', name);
      const seen = collect(await openLogs(client, await summary(name)));
      await waitFor(() => seen.closed(), 'the end of the logs', 10_000);
      assert.match(seen.stdout(), /tick 0\n/);
    });

    it('opens a shell with a TTY: sh as the image has no bash, typed commands answer, resize reaches stty, exit ends it', async () => {
      const name = ticker();
      const { shell, session } = await openShell(client, hostName, await summary(name));
      assert.equal(shell, 'sh');
      const seen = collect(session.output);
      await session.resize({ columns: 101, rows: 31 });
      session.input.write('stty size; echo marker-$((6*7))\n');
      await waitFor(() => /31 101/.test(seen.stdout()) && /marker-42/.test(seen.stdout()), 'the answers of stty and echo', 10_000);
      session.input.write('exit 3\n');
      await waitFor(() => seen.closed(), 'the shell to end', 10_000);
      assert.equal(await session.exitCode(), 3);
    });

    it('picks bash when the image has it', async () => {
      const name = ticker();
      docker(host, ['exec', name, 'ln', '-s', '/bin/busybox', '/bin/bash']);
      const { shell, session } = await openShell(client, hostName, await summary(name));
      session.dispose();
      assert.equal(shell, 'bash');
    });

    it('ends a followed log stream and an open shell when the container is removed under them', async () => {
      const name = ticker();
      const logs = collect(await openLogs(client, await summary(name)));
      const { session } = await openShell(client, hostName, await summary(name));
      const shell = collect(session.output);
      await waitFor(() => logs.stdout().includes('tick'), 'the first log lines', 10_000);
      docker(host, ['rm', '-f', name]);
      await waitFor(() => logs.closed() && shell.closed(), 'both streams to end', 10_000);
    });

    it('refuses a shell in a stopped container, and logs of a removed one fail as notFound', async () => {
      const name = ticker();
      await act('stop', name);
      await assert.rejects(openShell(client, hostName, await summary(name)), (error: unknown) => ContainerActionError.is(error, 'notRunning'));
      const gone = await summary(name);
      docker(host, ['rm', '-f', name]);
      await assert.rejects(openLogs(client, gone), (error: unknown) => DockerApiError.is(error, 'notFound'));
    });

    it('removes a running container and keeps its anonymous volume; refuses an ambassador and leaves it', async () => {
      const name = ticker(['-v', '/data']);
      const volume = docker(host, ['inspect', '-f', '{{range .Mounts}}{{.Name}}{{end}}', name]);
      const container = await summary(name);
      const plan = planContainerAction('remove', hostName, container, await client.inspectContainer(container.id));
      assert.equal(plan.force, true);
      assert.match(plan.confirmation?.detail ?? '', /1 anonymous volume \(\/data\)/);
      assert.equal(await applyContainerAction(client, plan), 'removed');
      assert.equal(docker(host, ['ps', '-aq', '--filter', `name=^/${name}$`]), '');
      assert.equal(docker(host, ['volume', 'inspect', '-f', '{{.Name}}', volume]), volume, 'the volume is kept');
      docker(host, ['volume', 'rm', volume]);

      const ambassador = ticker([
        '--label',
        'crosslink.managed=true',
        '--label',
        'crosslink.role=client-ambassador',
        '--label',
        'crosslink.client=beta/bw',
        '--label',
        'crosslink.target=alpha/oracle:1521',
      ]);
      await assert.rejects(act('remove', ambassador), (error: unknown) => ContainerActionError.is(error, 'managedByCrosslink'));
      assert.equal(docker(host, ['inspect', '-f', '{{.State.Status}}', ambassador]), 'running');
    });
  });
}
