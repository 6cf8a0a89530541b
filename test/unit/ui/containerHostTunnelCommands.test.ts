import '../fakes/vscodeStub';
import * as assert from 'node:assert/strict';
import { ConfigError, ForwardError } from '../../../src/core/errors';
import type { CrossLink } from '../../../src/core/values/labels';
import { ArgumentError, type ArgumentProblem, type Command, invoke } from '../../../src/ui/commands/command';
import type { CommandContext } from '../../../src/ui/commands/commandContext';
import { containerLifecycleCommand, openShellCommand, showLogsCommand, terminalOutputCommand } from '../../../src/ui/commands/containerActions';
import { copyDockerCommandsCommand } from '../../../src/ui/commands/copyDockerCommands';
import { copyReferenceCommand } from '../../../src/ui/commands/copyReference';
import { copyTunnelAddressCommand } from '../../../src/ui/commands/copyTunnelAddress';
import { editHostCommand, removeHostCommand, showEngineInfoCommand } from '../../../src/ui/commands/hostActions';
import { openTunnelInBrowserCommand } from '../../../src/ui/commands/openTunnelInBrowser';
import { refreshCommand } from '../../../src/ui/commands/refresh';
import { showLogCommand } from '../../../src/ui/commands/showLog';
import { stopTunnelCommand } from '../../../src/ui/commands/stopTunnel';
import { pauseTunnelsCommand, resumeTunnelsCommand, toggleTunnelsCommand } from '../../../src/ui/commands/toggleTunnels';
import { listeningTunnel } from '../../../src/ui/commands/tunnelArgument';
import { useLocalEngineCommand } from '../../../src/ui/commands/useLocalEngine';
import { verifyLinkCommand } from '../../../src/ui/commands/verifyLink';
import { type PickOptions, back } from '../../../src/ui/prompter';
import { AliasNode, ContainerNode, CrossLinkNode, HostNode, LinkNode, TunnelNode } from '../../../src/ui/tree/treeNodes';
import { ScriptedPrompter, confirm, escape, inspect, notice, pick, type } from '../fakes/scriptedPrompter';

function rejects(parse: () => unknown, field: string, reason: ArgumentProblem): void {
  assert.throws(parse, (error: unknown) => ArgumentError.is(error, reason) && error.field === field, `expected ${reason} on "${field}"`);
}

const summary = (name: string, state = 'running') => ({ id: `id-${name}`, name, image: 'img', state, labels: {}, networks: [], ports: [], raw: { Mounts: [] } });

/** Two hosts: alpha (settings, connected, web and db) and local (the default engine, no containers). */
function fakeContext(options: { containers?: Record<string, ReturnType<typeof summary>>; tunnels?: unknown[] } = {}) {
  const containers = options.containers ?? { web: summary('web'), db: summary('db', 'exited') };
  const calls: string[] = [];
  const alpha = {
    spec: { name: 'alpha', url: 'tcp://alpha:2375', source: 'settings', endpoint: { kind: 'tcp', host: 'alpha', port: 2375 } },
    state: 'connected',
    engine: { version: '27.0', apiVersion: '1.46', os: 'linux', arch: 'x86_64' },
    containers: new Map(Object.values(containers).map((container) => [container.id, container])),
  };
  const local = {
    spec: { name: 'local', url: 'unix:///var/run/docker.sock', source: 'default' },
    state: 'unreachable',
    error: new Error('connect ENOENT.'),
    containers: new Map(),
  };
  const hosts = [alpha, local];
  const client = {
    inspectContainer: async (id: string) => Object.values(containers).find((container) => container.id === id)!,
    stopContainer: async (id: string) => (calls.push(`stop ${id}`), (Object.values(containers).find((container) => container.id === id)!.state = 'exited')),
    removeContainer: async (id: string) => calls.push(`remove ${id}`),
  };
  const tunnels = options.tunnels ?? [];
  const context = {
    model: {
      hosts: () => hosts,
      host: (name: string) => hosts.find((host) => host.spec.name === name),
      client: (name: string) => (name === 'alpha' ? client : undefined),
      findContainer: (host: string, nameOrId: string) =>
        host === 'alpha' ? Object.values(containers).find((container) => container.name === nameOrId || container.id === nameOrId) : undefined,
      refresh: async (host?: string) => calls.push(`refresh ${host ?? 'all'}`),
    },
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
    channel: { show: () => calls.push('show log') },
    tunnels: {
      list: () => tunnels,
      get: (id: string) => (tunnels as Array<{ id: string }>).find((tunnel) => tunnel.id === id),
      stop: async (id: string) => calls.push(`stop tunnel ${id}`),
      pauseAll: () => calls.push('pause all'),
      resumeAll: async () => (calls.push('resume all'), [{ id: 'alpha/web:80', error: new Error('[alpha] port 8080 is in use') }]),
    },
  } as unknown as CommandContext;
  return { context, calls, alpha, local };
}

const tunnel = (id: string, state = 'active') => ({
  id,
  host: 'alpha',
  container: 'web',
  port: 80,
  localPort: 8080,
  localAddress: '127.0.0.1:8080',
  state,
  transport: '',
  stats: {},
});

describe('container, host and tunnel commands (unit)', () => {
  describe('parse() pins the README table', () => {
    it('crosslink.refresh { host? } (a host name is taken too)', () => {
      assert.deepEqual(refreshCommand.parse({}), { host: undefined });
      assert.deepEqual(refreshCommand.parse({ host: 'alpha' }), { host: 'alpha' });
      assert.deepEqual(refreshCommand.parse('alpha'), { host: 'alpha' });
      rejects(() => refreshCommand.parse({ host: 1 }), 'host', 'wrongType');
      rejects(() => refreshCommand.parse(7), 'arguments', 'wrongType');
    });

    it('container commands: "host/name" or { container }', () => {
      const commands: Array<Command<{ container: string }, unknown>> = [
        copyReferenceCommand,
        showLogsCommand,
        openShellCommand,
        ...(['start', 'stop', 'restart', 'remove'] as const).map(containerLifecycleCommand),
      ];
      for (const command of commands) {
        assert.deepEqual(command.parse('alpha/web'), { container: 'alpha/web' }, command.id);
        assert.deepEqual(command.parse({ container: 'alpha/web' }), { container: 'alpha/web' }, command.id);
        rejects(() => command.parse('web'), 'container', 'invalidValue');
        rejects(() => command.parse({}), 'container', 'missing');
        rejects(() => command.parse({ container: 3 }), 'container', 'wrongType');
      }
      assert.deepEqual(
        (['start', 'stop', 'restart', 'remove'] as const).map((action) => containerLifecycleCommand(action).id),
        ['crosslink.startContainer', 'crosslink.stopContainer', 'crosslink.restartContainer', 'crosslink.removeContainer'],
      );
    });

    it('crosslink.copyDockerCommands "host/name" or { container, includeSecrets? }', () => {
      assert.deepEqual(copyDockerCommandsCommand.parse('alpha/web'), { kind: 'container', container: 'alpha/web', includeSecrets: undefined });
      assert.deepEqual(copyDockerCommandsCommand.parse({ container: 'alpha/web', includeSecrets: true }), { kind: 'container', container: 'alpha/web', includeSecrets: true });
      rejects(() => copyDockerCommandsCommand.parse({ container: 'alpha/web', includeSecrets: 'yes' }), 'includeSecrets', 'wrongType');
      rejects(() => copyDockerCommandsCommand.parse({ includeSecrets: true }), 'container', 'missing');
      rejects(() => copyDockerCommandsCommand.parse('web'), 'container', 'invalidValue');
    });

    it('crosslink.verifyLink { client, alias, port? }', () => {
      assert.deepEqual(verifyLinkCommand.parse({ client: 'alpha/web', alias: 'db' }), { client: 'alpha/web', alias: 'db', port: undefined });
      assert.deepEqual(verifyLinkCommand.parse({ client: 'alpha/web', alias: 'db', port: 5432 }), { client: 'alpha/web', alias: 'db', port: 5432 });
      rejects(() => verifyLinkCommand.parse({ alias: 'db' }), 'client', 'missing');
      rejects(() => verifyLinkCommand.parse({ client: 'web', alias: 'db' }), 'client', 'invalidValue');
      rejects(() => verifyLinkCommand.parse({ client: 'alpha/web' }), 'alias', 'missing');
      rejects(() => verifyLinkCommand.parse({ client: 'alpha/web', alias: 'not a label' }), 'alias', 'invalidValue');
      rejects(() => verifyLinkCommand.parse({ client: 'alpha/web', alias: 'db', port: '5432' }), 'port', 'wrongType');
      rejects(() => verifyLinkCommand.parse({ client: 'alpha/web', alias: 'db', port: 0 }), 'port', 'invalidValue');
    });

    it('tunnel commands { id }', () => {
      for (const command of [stopTunnelCommand, openTunnelInBrowserCommand, copyTunnelAddressCommand]) {
        assert.deepEqual(command.parse({ id: 'alpha/web:80' }), { id: 'alpha/web:80' });
        rejects(() => command.parse({}), 'id', 'missing');
        rejects(() => command.parse({ id: 80 }), 'id', 'wrongType');
        rejects(() => command.parse('alpha/web:80'), 'arguments', 'wrongType');
      }
    });

    it('host commands "host" or { host }', () => {
      for (const command of [editHostCommand, removeHostCommand, showEngineInfoCommand]) {
        assert.deepEqual(command.parse('alpha'), { host: 'alpha' });
        assert.deepEqual(command.parse({ host: 'alpha' }), { host: 'alpha' });
        rejects(() => command.parse({}), 'host', 'missing');
        rejects(() => command.parse({ host: true }), 'host', 'wrongType');
      }
    });

    it('crosslink.terminalOutput { terminal }; commands without arguments ignore what they are given', () => {
      assert.deepEqual(terminalOutputCommand.parse({ terminal: 'Logs: alpha/web' }), { terminal: 'Logs: alpha/web' });
      rejects(() => terminalOutputCommand.parse({}), 'terminal', 'missing');
      rejects(() => terminalOutputCommand.parse({ terminal: 1 }), 'terminal', 'wrongType');
      for (const command of [showLogCommand, toggleTunnelsCommand, pauseTunnelsCommand, resumeTunnelsCommand, useLocalEngineCommand]) {
        assert.deepEqual(command.parse({}), {});
      }
    });
  });

  describe('prompt flows (scripted prompter)', () => {
    it('a container command started on a container node asks nothing; from the palette it picks one; Escape stops', async () => {
      const { context } = fakeContext();
      const none = new ScriptedPrompter([]);
      assert.deepEqual(await copyReferenceCommand.prompt(none, context, new ContainerNode('alpha', 'id-web')), { container: 'alpha/web' });
      none.done();
      for (const command of [copyReferenceCommand, showLogsCommand, openShellCommand, containerLifecycleCommand('start')]) {
        const ui = new ScriptedPrompter([pick(/^Container/, 'db')]);
        assert.deepEqual(await command.prompt(ui, context), { container: 'alpha/db' }, command.id);
        ui.done();
        const escaped = new ScriptedPrompter([escape('pickOne', /^Container/)]);
        assert.equal(await command.prompt(escaped, context), undefined);
        escaped.done();
      }
    });

    it('with no container anywhere, says so instead of an empty pick', async () => {
      const { context } = fakeContext({ containers: {} });
      const ui = new ScriptedPrompter([notice(/no host shows a container yet/)]);
      assert.equal(await showLogsCommand.prompt(ui, context), undefined);
      ui.done();
    });

    it('Remove Container asks first, naming what is kept; Cancel changes nothing; the removal is reported', async () => {
      const { context, calls } = fakeContext();
      const cancelled = new ScriptedPrompter([pick(/Container to remove/, 'web'), confirm('Remove the container alpha/web?', undefined)]);
      assert.equal(await invoke(containerLifecycleCommand('remove'), context, cancelled, []), undefined);
      cancelled.done();
      assert.deepEqual(calls, []);
      const ui = new ScriptedPrompter([
        inspect(
          'confirm',
          'Remove the container alpha/web?',
          (options: { detail: string; actions: string[] }) => (assert.match(options.detail, /it is stopped first/), options.actions[0]),
        ),
        notice('Removed alpha/web.'),
      ]);
      assert.deepEqual(await invoke(containerLifecycleCommand('remove'), context, ui, [new ContainerNode('alpha', 'id-web')]), { removed: 'alpha/web' });
      assert.deepEqual(ui.progressTitles, ['Removing alpha/web…']);
      assert.deepEqual(calls, ['remove id-web']);
      ui.done();
    });

    it('scripted Stop asks nothing and tells nothing; it returns the state the engine reports', async () => {
      const { context, calls } = fakeContext();
      const ui = new ScriptedPrompter([]);
      assert.deepEqual(await invoke(containerLifecycleCommand('stop'), context, ui, [{ container: 'alpha/web' }]), { container: 'alpha/web', state: 'exited' });
      assert.deepEqual(calls, ['stop id-web']);
      assert.deepEqual(ui.statuses, []);
      ui.done();
      await assert.rejects(invoke(containerLifecycleCommand('stop'), context, ui, ['alpha/gone']), (error: unknown) => ConfigError.is(error, 'containerNotFound'));
      await assert.rejects(invoke(containerLifecycleCommand('stop'), context, ui, ['nowhere/web']), (error: unknown) => ConfigError.is(error, 'hostUnknown'));
    });

    it('Copy Docker Commands from a link, alias or cross-host link node asks nothing; else it picks a container', async () => {
      const { context } = fakeContext();
      const ui = new ScriptedPrompter([]);
      const link = { client: { host: 'beta', container: 'app' }, alias: 'db', target: { host: 'alpha', container: 'db', port: 5432 } } as unknown as CrossLink;
      assert.deepEqual(await copyDockerCommandsCommand.prompt(ui, context, new CrossLinkNode(link, 'client')), { kind: 'crossLink', link });
      assert.deepEqual(await copyDockerCommandsCommand.prompt(ui, context, new LinkNode('alpha', 'web', 'db', 'database', 5432)), {
        kind: 'legacyLink',
        host: 'alpha',
        client: 'web',
        target: 'db',
        alias: 'database',
      });
      assert.deepEqual(await copyDockerCommandsCommand.prompt(ui, context, new AliasNode('alpha', 'db', 'app-net', 'database')), {
        kind: 'alias',
        host: 'alpha',
        container: 'db',
        network: 'app-net',
        alias: 'database',
      });
      ui.done();
      const picking = new ScriptedPrompter([pick(/docker commands/, 'web')]);
      assert.deepEqual(await copyDockerCommandsCommand.prompt(picking, context), { kind: 'container', container: 'alpha/web' });
      picking.done();
      const escaped = new ScriptedPrompter([escape('pickOne', /docker commands/)]);
      assert.equal(await copyDockerCommandsCommand.prompt(escaped, context), undefined);
      escaped.done();
    });

    it('Verify Link from a link node asks nothing; from the palette: container, then alias; Back keeps the container; Escape at each step', async () => {
      const { context } = fakeContext();
      const quiet = new ScriptedPrompter([]);
      const link = { client: { host: 'beta', container: 'app' }, alias: 'db' } as unknown as CrossLink;
      assert.deepEqual(await verifyLinkCommand.prompt(quiet, context, new CrossLinkNode(link, 'target')), { client: 'beta/app', alias: 'db', link });
      assert.deepEqual(await verifyLinkCommand.prompt(quiet, context, new LinkNode('alpha', 'web', 'db', 'database', 5432)), {
        client: 'alpha/web',
        alias: 'database',
        port: 5432,
      });
      quiet.done();
      const ui = new ScriptedPrompter([
        pick('Container to verify from', 'web'),
        inspect(
          'inputText',
          'Verify a link from web',
          (options: { validate: (text: string) => string | undefined; step: number }) => (assert.ok(options.validate('not a label')), assert.equal(options.step, 2), back),
        ),
        inspect(
          'pickOne',
          'Container to verify from',
          (options: PickOptions<{ container: { name: string } }>) => (assert.equal(options.active?.container.name, 'web'), options.active),
        ),
        type('Verify a link from web', 'database'),
      ]);
      assert.deepEqual(await verifyLinkCommand.prompt(ui, context), { client: 'alpha/web', alias: 'database' });
      ui.done();
      for (const script of [[escape('pickOne', 'Container to verify from')], [pick('Container to verify from', 'web'), escape('inputText', /Verify a link/)]]) {
        const escaped = new ScriptedPrompter(script);
        assert.equal(await verifyLinkCommand.prompt(escaped, context), undefined);
        escaped.done();
      }
    });

    it('Verify Link checks a cross-host link from where it lives and records its health; a failure an ambassador explains offers Repair', async () => {
      const link = { client: { host: 'beta', container: 'app' }, alias: 'db' } as unknown as CrossLink;
      const recorded: unknown[] = [];
      const shown: string[] = [];
      let result = { ok: true, hops: [], message: 'db answers', connectMs: 3 };
      const context = {
        ...fakeContext().context,
        crossLinks: { list: async () => [link], verify: async () => result },
        health: { record: (checked: CrossLink, outcome: unknown) => recorded.push([checked, outcome]) },
        channel: { show: () => shown.push('log') },
      } as unknown as CommandContext;
      const quiet = new ScriptedPrompter([]);
      assert.equal(await invoke(verifyLinkCommand, context, quiet, [{ client: 'beta/app', alias: 'db' }]), result, 'scripted: the result, no message');
      assert.deepEqual(recorded, [[link, result]]);
      quiet.done();
      result = { ok: false, hops: [], message: 'the client-side ambassador is stopped', action: 'repair' } as unknown as typeof result;
      const ui = new ScriptedPrompter([
        inspect(
          'notify',
          'app: the client-side ambassador is stopped',
          (options: { level: string; actions: string[] }) => (assert.deepEqual([options.level, options.actions], ['warning', ['Repair', 'Show Log']]), 'Show Log'),
        ),
      ]);
      await invoke(verifyLinkCommand, context, ui, [new CrossLinkNode(link, 'client')]);
      assert.deepEqual(ui.progressTitles, ['Verifying db from app…']);
      ui.done();
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(shown, ['log']);
    });

    it('tunnel commands: a tunnel node asks nothing; else a pick of the open tunnels; with none open, says how to open one', async () => {
      const open = [tunnel('alpha/web:80'), tunnel('alpha/db:5432', 'paused')];
      const { context, calls } = fakeContext({ tunnels: open });
      const quiet = new ScriptedPrompter([]);
      assert.deepEqual(await stopTunnelCommand.prompt(quiet, context, new TunnelNode('alpha/web:80')), { id: 'alpha/web:80' });
      quiet.done();
      const ui = new ScriptedPrompter([pick('Stop a Tunnel', '127.0.0.1:8080')]);
      assert.deepEqual(await invoke(stopTunnelCommand, context, ui, []), { stopped: 'alpha/web:80' });
      assert.deepEqual(calls, ['stop tunnel alpha/web:80']);
      assert.deepEqual(ui.statuses, ['Stopped the tunnel to alpha/web:80.']);
      ui.done();
      const escaped = new ScriptedPrompter([escape('pickOne', 'Copy a Tunnel Address')]);
      assert.equal(await copyTunnelAddressCommand.prompt(escaped, context), undefined);
      escaped.done();
      const none = new ScriptedPrompter([notice(/Open a Tunnel in the Browser: no tunnel is open/)]);
      assert.equal(await openTunnelInBrowserCommand.prompt(none, fakeContext().context), undefined);
      none.done();
    });

    it('a tunnel that is paused or unknown is refused with a reason', async () => {
      const { context } = fakeContext({ tunnels: [tunnel('alpha/web:80', 'paused')] });
      assert.throws(
        () => listeningTunnel(context.tunnels, 'Copy Tunnel Address', 'alpha/web:80'),
        (error: unknown) => ForwardError.is(error, 'notListening'),
      );
      assert.throws(
        () => listeningTunnel(context.tunnels, 'Copy Tunnel Address', 'alpha/db:1'),
        (error: unknown) => ArgumentError.is(error, 'invalidValue') && error.field === 'id',
      );
    });

    it('Resume Tunnels tells which tunnel could not resume; Toggle pauses while any tunnel is active', async () => {
      const { context, calls } = fakeContext({ tunnels: [tunnel('alpha/web:80', 'paused')] });
      const ui = new ScriptedPrompter([notice('Tunnel alpha/web:80 could not resume: port 8080 is in use')]);
      assert.deepEqual(await invoke(resumeTunnelsCommand, context, ui, []), { paused: false, tunnels: 1 });
      ui.done();
      const active = fakeContext({ tunnels: [tunnel('alpha/web:80'), tunnel('alpha/db:1', 'paused')] });
      assert.deepEqual(await invoke(toggleTunnelsCommand, active.context, new ScriptedPrompter([]), []), { paused: true, tunnels: 2 });
      assert.deepEqual([...calls, ...active.calls], ['resume all', 'pause all']);
    });

    it('host commands: a host node asks nothing (Remove Host still confirms); from the palette a pick of the hosts it applies to', async () => {
      const { context } = fakeContext();
      const quiet = new ScriptedPrompter([]);
      assert.deepEqual(await editHostCommand.prompt(quiet, context, new HostNode('alpha')), { host: 'alpha' });
      quiet.done();
      const remove = new ScriptedPrompter([
        inspect('confirm', 'Remove alpha from crosslink.hosts?', (options: { detail: string }) => (assert.match(options.detail, /With no host left/), 'Remove Host')),
      ]);
      assert.deepEqual(await removeHostCommand.prompt(remove, context, new HostNode('alpha')), { host: 'alpha' });
      remove.done();
      const cancelled = new ScriptedPrompter([pick('Remove Host', 'alpha'), confirm(/Remove alpha/, undefined)]);
      assert.equal(await removeHostCommand.prompt(cancelled, context), undefined);
      cancelled.done();
      const edit = new ScriptedPrompter([
        inspect(
          'pickOne',
          'Edit Host',
          (options: PickOptions<string>) => (
            assert.deepEqual(
              options.items.map((item) => 'value' in item && item.value),
              ['alpha'],
              'only hosts from crosslink.hosts',
            ),
            undefined
          ),
        ),
      ]);
      assert.equal(await editHostCommand.prompt(edit, context), undefined);
      edit.done();
    });

    it('Show Engine Info shows the engine in a modal from the menu; scripted, it returns it; an unknown host has its reason', async () => {
      const { context } = fakeContext();
      const ui = new ScriptedPrompter([
        inspect('inform', 'Docker engine of alpha', (options: { detail: string }) =>
          assert.match(options.detail, /Docker 27\.0 \(API 1\.46\)\nOS: linux\/x86_64\nContainers: 2 \(1 running\)/),
        ),
      ]);
      const info = await invoke(showEngineInfoCommand, context, ui, [new HostNode('alpha')]);
      assert.deepEqual((info as { containers: unknown }).containers, { total: 2, running: 1 });
      ui.done();
      await assert.rejects(invoke(showEngineInfoCommand, context, ui, [{ host: 'nowhere' }]), (error: unknown) => ConfigError.is(error, 'hostUnknown'));
    });

    it('Refresh from a host node refreshes that host, from the title every host; Show Log and Use the Local Engine ask nothing', async () => {
      const { context, calls } = fakeContext();
      const ui = new ScriptedPrompter([notice(/The local Docker engine does not answer: connect ENOENT\. Start Docker/)]);
      const refreshed = (await invoke(refreshCommand, context, ui, [new HostNode('alpha')])) as { hosts: Array<{ name: string; containers: string[] }> };
      assert.deepEqual(refreshed.hosts[0], { name: 'alpha', state: 'connected', error: undefined, containers: ['web', 'db'] });
      await invoke(refreshCommand, context, ui, []);
      await invoke(showLogCommand, context, ui, []);
      assert.deepEqual(await invoke(useLocalEngineCommand, context, ui, []), { host: 'local', state: 'unreachable' });
      assert.deepEqual(calls, ['refresh alpha', 'refresh all', 'show log', 'refresh local']);
      ui.done();
    });
  });
});
