// Container and host actions through the real VS Code API, on the ssh host (beta): logs and a shell in
// terminals, read back through crosslink.terminalOutput, and the scripted lifecycle commands.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { createContainer, docker, readTestbed, removeContainer, testbedHost } from '../support/testbed';

async function until(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const output = async (terminal: string) => (await vscode.commands.executeCommand<string | undefined>('crosslink.terminalOutput', { terminal })) ?? '';

describe('Container actions on the ssh host', () => {
  const testbed = readTestbed();
  const beta = testbedHost(testbed, 'beta', 1);
  const suffix = Math.random().toString(36).slice(2, 8);
  const app = `suite-app-${suffix}`;
  const ambassador = `suite-amb-${suffix}`;
  const ref = `${beta.name}/${app}`;
  const ticker = ['sh', '-c', 'trap "exit 0" TERM; i=0; while :; do echo "tick $i"; i=$((i+1)); sleep 0.3; done'];

  before(async () => {
    createContainer(testbed, beta, app, {}, ticker);
    createContainer(testbed, beta, ambassador, { 'crosslink.managed': 'true', 'crosslink.role': 'server-ambassador', 'crosslink.target': `${beta.name}/${app}:80` });
    await vscode.commands.executeCommand('crosslink.refresh');
  });

  after(() => {
    for (const terminal of vscode.window.terminals.filter((candidate) => candidate.name.includes(app))) {
      terminal.dispose();
    }
    removeContainer(beta, app);
    removeContainer(beta, ambassador);
  });

  it('crosslink.showLogs streams the logs into a terminal and keeps following', async () => {
    const result = await vscode.commands.executeCommand<{ container: string; terminal: string }>('crosslink.showLogs', { container: ref });
    assert.strictEqual(result.container, ref);
    await until(async () => /tick \d+/.test(await output(result.terminal)), 'log lines in the terminal');
    const seen = (await output(result.terminal)).length;
    await until(async () => (await output(result.terminal)).length > seen, 'more lines while following');
    vscode.window.terminals.find((terminal) => terminal.name === result.terminal)?.dispose();
  });

  it('crosslink.openShell opens sh with a TTY: a typed command answers in the terminal', async () => {
    const result = await vscode.commands.executeCommand<{ container: string; shell: string; terminal: string }>('crosslink.openShell', { container: ref });
    assert.strictEqual(result.shell, 'sh');
    const terminal = vscode.window.terminals.find((candidate) => candidate.name === result.terminal);
    assert.ok(terminal, `no terminal named ${result.terminal}`);
    terminal.sendText('echo marker-$((6*7)) && hostname');
    await until(async () => /marker-42/.test(await output(result.terminal)), 'the answer of the typed command');
    const containerId = docker(beta, ['inspect', '-f', '{{.Config.Hostname}}', app]);
    await until(async () => (await output(result.terminal)).includes(containerId), "the container's hostname");
    terminal.sendText('exit');
    await until(() => !vscode.window.terminals.includes(terminal), 'the terminal to close when the shell exits');
  });

  it('scripted stop, start, restart and remove report the state and change the container', async () => {
    const state = () => docker(beta, ['inspect', '-f', '{{.State.Status}}', app]);
    assert.deepStrictEqual(await vscode.commands.executeCommand('crosslink.stopContainer', { container: ref }), { container: ref, state: 'exited' });
    assert.strictEqual(state(), 'exited');
    // Right after the stop: the tree may not have seen the event yet, the command asks the engine.
    assert.deepStrictEqual(await vscode.commands.executeCommand('crosslink.startContainer', { container: ref }), { container: ref, state: 'running' });
    assert.strictEqual(state(), 'running');
    assert.deepStrictEqual(await vscode.commands.executeCommand('crosslink.restartContainer', ref), { container: ref, state: 'running' });
    assert.deepStrictEqual(await vscode.commands.executeCommand('crosslink.removeContainer', { container: ref }), { removed: ref });
    assert.strictEqual(docker(beta, ['ps', '-aq', '--filter', `name=^/${app}$`]), '');
  });

  it('refuses to remove an ambassador, pointing to Remove Link, and leaves it running', async () => {
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('crosslink.removeContainer', { container: `${beta.name}/${ambassador}` })),
      /server-side ambassador.*Remove Link/,
    );
    assert.strictEqual(docker(beta, ['inspect', '-f', '{{.State.Status}}', ambassador]), 'running');
  });

  it('crosslink.showEngineInfo tells the engine version and the container count', async () => {
    const info = await vscode.commands.executeCommand<{ host: string; version: string; apiVersion: string; containers: { total: number } }>('crosslink.showEngineInfo', {
      host: beta.name,
    });
    assert.strictEqual(info.host, beta.name);
    assert.match(info.version, /^\d+\.\d+/);
    assert.ok(info.containers.total >= 1);
  });

  it('crosslink.editHost opens settings.json at the entry; crosslink.removeHost removes only that entry', async () => {
    const configuration = () => vscode.workspace.getConfiguration('crosslink');
    const original = configuration().get<Array<{ name: string; url: string }>>('hosts') ?? [];
    const extra = `extra-${suffix}`;
    try {
      await vscode.commands.executeCommand('crosslink.addHost', { name: extra, url: original[0].url, tls: (original[0] as { tls?: unknown }).tls });
      const edited = await vscode.commands.executeCommand<{ host: string; line?: number }>('crosslink.editHost', { host: extra });
      assert.strictEqual(edited.host, extra);
      assert.ok(typeof edited.line === 'number', 'the entry was found in settings.json');
      assert.match(vscode.window.activeTextEditor?.document.getText(vscode.window.activeTextEditor.selection) ?? '', new RegExp(`"name":\\s*"${extra}"`));
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      assert.deepStrictEqual(await vscode.commands.executeCommand('crosslink.removeHost', { host: extra }), { removed: extra });
      assert.deepStrictEqual(configuration().get('hosts'), original);
      await assert.rejects(Promise.resolve(vscode.commands.executeCommand('crosslink.removeHost', { host: extra })), /no host/);
    } finally {
      await configuration().update('hosts', original, vscode.ConfigurationTarget.Global);
    }
  });
});
