import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HostError } from '../../src/core/errors';
import { DockerodeClient } from '../../src/core/hosts/dockerodeClient';
import { parseHostEntry } from '../../src/core/hosts/hostSpec';
import { discoverLocalHosts, watchDockerCliConfig } from '../../src/core/hosts/localHosts';
import { defaultSshFiles } from '../../src/core/hosts/sshConnection';
import { ContainerModel } from '../../src/core/model/containerModel';
import { defaultHostWatcherOptions } from '../../src/core/model/hostWatcher';
import { createContainer, docker, removeContainer, testbedHost } from '../support/testbed';
import { waitFor } from '../support/waitFor';
import { RecordingLogger, inNamespace, newModel, ownProcessTree, settingFor, specs, sshClients, tempDir, testbed, testbedSshFiles, uniqueName } from './harness';

const alphaHost = testbedHost(testbed, 'alpha', 0);
const betaHost = testbedHost(testbed, 'beta', 1);
const gammaHost = testbedHost(testbed, 'gamma', 2);
const alpha = settingFor('alpha'); // tcp:// with TLS
const beta = settingFor('beta'); // ssh:// with identityFile
const gamma = settingFor('gamma'); // Podman's Docker-compatible service on a unix socket

describe('Hosts against the testbed (integration)', function () {
  this.timeout(60_000);
  let logger: RecordingLogger;
  let model: ContainerModel | undefined;
  const created: Array<[typeof alphaHost, string]> = [];

  beforeEach(() => {
    logger = new RecordingLogger();
  });

  afterEach(function () {
    model?.dispose();
    model = undefined;
    for (const [host, name] of created.splice(0)) {
      removeContainer(host, name);
    }
    if (this.currentTest?.state === 'failed') {
      console.log(logger.lines.join('\n'));
    }
  });

  function start(...entries: Parameters<typeof specs>) {
    const made = newModel(logger);
    model = made.model;
    return model.setHosts(specs(...entries)).then(() => made.model);
  }

  function fixture(host: typeof alphaHost, prefix: string): string {
    const name = uniqueName(prefix);
    createContainer(testbed, host, name, { 'crosslink.test': 'true' });
    created.push([host, name]);
    return name;
  }

  it('lists the containers of a tcp+TLS host and an ssh host side by side', async () => {
    const onAlpha = fixture(alphaHost, 'oracle');
    const onBeta = fixture(betaHost, 'bw');
    const live = await start(alpha, beta);
    assert.deepEqual(
      live.hosts().map((host) => [host.spec.name, host.state]),
      [
        ['alpha', 'connected'],
        ['beta', 'connected'],
      ],
    );
    assert.equal(live.findContainer('alpha', onAlpha)?.state, 'running');
    assert.equal(live.findContainer('beta', onBeta)?.state, 'running');
    assert.equal(live.findContainer('alpha', onBeta), undefined);
    const ip = live.findContainer('beta', onBeta)?.networks.find((network) => network.name === 'bridge')?.ipAddress;
    assert.match(ip ?? '', /^\d+\.\d+\.\d+\.\d+$/, 'the container IP on its network is known');
    assert.ok(!logger.lines.some((line) => /PRIVATE KEY/.test(line)), 'no key material in logs');
  });

  for (const [hostName, host, setting] of [
    ['alpha (tcp+TLS)', alphaHost, alpha],
    ['gamma (Podman)', gammaHost, gamma],
  ] as const) {
    it(`shows a container started and stopped on ${hostName} within 1 s, through events`, async () => {
      await eventsWithinOneSecond(await start(setting), host, setting);
    });
  }

  for (const sshClient of sshClients) {
    it(`shows a container started and stopped on beta (ssh through ${sshClient.name}) within 1 s, through events`, async () => {
      model = newModel(logger, sshClient.options()).model;
      await model.setHosts(specs(beta));
      await eventsWithinOneSecond(model, betaHost, beta);
    });
  }

  async function eventsWithinOneSecond(live: ContainerModel, host: typeof alphaHost, setting: typeof alpha): Promise<void> {
    assert.equal(live.host(setting.name)?.state, 'connected', live.host(setting.name)?.error?.message);
    const name = uniqueName('evt');
    created.push([host, name]);
    docker(host, ['run', '-d', '--pull', 'never', '--name', name, testbed.images.fixture, 'sleep', '600']);
    const startedAt = Date.now();
    await waitFor(() => live.findContainer(setting.name, name)?.state === 'running', `${name} running in the model`, 1000);
    const appearMs = Date.now() - startedAt;
    docker(host, ['stop', '-t', '0', name]);
    const stoppedAt = Date.now();
    await waitFor(() => live.findContainer(setting.name, name)?.state === 'exited', `${name} exited in the model`, 1000);
    const stopMs = Date.now() - stoppedAt;
    docker(host, ['rm', name]);
    const removedAt = Date.now();
    await waitFor(() => live.findContainer(setting.name, name) === undefined, `${name} gone from the model`, 1000);
    console.log(`      event → model: start ${appearMs} ms, stop ${stopMs} ms, remove ${Date.now() - removedAt} ms`);
  }

  it("lists a Podman host next to the dockerd hosts, named as Podman with its version and its containers' networks", async () => {
    const onAlpha = fixture(alphaHost, 'oracle');
    const onGamma = fixture(gammaHost, 'bw');
    const live = await start(alpha, gamma);
    assert.deepEqual(
      live.hosts().map((host) => [host.spec.name, host.state, host.engine?.engine]),
      [
        ['alpha', 'connected', 'Docker'],
        ['gamma', 'connected', 'Podman'],
      ],
      live.host('gamma')?.error?.message,
    );
    assert.match(live.host('gamma')?.engine?.version ?? '', /^\d+\.\d+/);
    assert.equal(live.findContainer('alpha', onAlpha)?.state, 'running');
    const bw = live.findContainer('gamma', onGamma);
    assert.equal(bw?.state, 'running');
    assert.deepEqual(
      bw?.networks.map((network) => network.name),
      ['podman'],
      "Podman's default network",
    );
    assert.match(bw?.networks[0].ipAddress ?? '', /^10\.88\./);
  });

  it('shows a host whose engine refuses as unreachable while the other host still lists', async () => {
    const onBeta = fixture(betaHost, 'still-here');
    const down = { name: 'down', url: `tcp://${alphaHost.ip}:2399` };
    const live = await start(down, beta);
    assert.equal(live.host('down')?.state, 'unreachable');
    assert.ok(HostError.is(live.host('down')?.error, 'refused'), `reason: ${live.host('down')?.error?.reason}`);
    assert.match(live.host('down')?.error?.message ?? '', /refused.*Is the Docker engine running/);
    assert.equal(live.host('beta')?.state, 'connected');
    assert.ok(live.findContainer('beta', onBeta));
  });

  it('reports a host that does not answer as a timeout', async () => {
    const rule = ['INPUT', '-p', 'tcp', '--dport', '2375', '-j', 'DROP'];
    inNamespace('alpha', ['iptables', '-I', ...rule]);
    try {
      const client = new DockerodeClient(parseHostEntry({ name: 'silent', url: alphaHost.tcpUrl! }), logger, { callTimeoutMs: 1500, sshFiles: testbedSshFiles() });
      await assert.rejects(client.version(), (error: unknown) => HostError.is(error, 'timeout'));
      client.dispose();
    } finally {
      inNamespace('alpha', ['iptables', '-D', ...rule]);
    }
  });

  it('shows a tcp host that goes silent as unreachable within seconds, and connected again when it answers', async () => {
    const watcherOptions = { ...defaultHostWatcherOptions, retryDelaysMs: [200], livenessIntervalMs: 300 };
    model = new ContainerModel((spec) => new DockerodeClient(spec, logger, { callTimeoutMs: 1000, sshFiles: testbedSshFiles() }), logger, watcherOptions);
    const live = model;
    await live.setHosts(specs({ name: 'plain-tcp', url: alphaHost.tcpUrl! }));
    assert.equal(live.host('plain-tcp')?.state, 'connected', live.host('plain-tcp')?.error?.message);
    // Every packet to the engine is dropped: no reset, the event stream just goes quiet.
    const rule = ['INPUT', '-p', 'tcp', '--dport', '2375', '-j', 'DROP'];
    inNamespace('alpha', ['iptables', '-I', ...rule]);
    try {
      await waitFor(() => live.host('plain-tcp')?.state !== 'connected', 'the silent host noticed', 5000);
    } finally {
      inNamespace('alpha', ['iptables', '-D', ...rule]);
    }
    await waitFor(() => live.host('plain-tcp')?.state === 'connected', 'connected again', 10_000);
  });

  it('refuses a TLS engine whose certificate the configured CA did not sign', async () => {
    const tls = alpha.tls!;
    const live = await start({ name: 'badca', url: alpha.url, tls: { ca: tls.cert, cert: tls.cert, key: tls.key } });
    assert.ok(HostError.is(live.host('badca')?.error, 'tls'), `reason: ${live.host('badca')?.error?.reason}: ${live.host('badca')?.error?.message}`);
  });

  it('shows a host whose TLS file cannot be read in its own row (credentials), and alpha and beta after it still work', async () => {
    const onAlpha = fixture(alphaHost, 'after-bad-tls');
    const tls = alpha.tls!;
    const missing = path.join(tempDir('crosslink-tls-'), 'ca.pem');
    const live = await start({ name: 'bad-tls', url: alpha.url, tls: { ca: missing, cert: tls.cert, key: tls.key } }, alpha, beta);
    assert.deepEqual(
      live.hosts().map((host) => [host.spec.name, host.state]),
      [
        ['bad-tls', 'unreachable'],
        ['alpha', 'connected'],
        ['beta', 'connected'],
      ],
    );
    const error = live.host('bad-tls')?.error;
    assert.ok(HostError.is(error, 'credentials'), `reason: ${error?.reason}: ${error?.message}`);
    assert.ok(error!.message.includes(missing), error!.message);
    assert.ok(live.findContainer('alpha', onAlpha));
    await live.client('alpha')!.inspectContainer(onAlpha);
    await live.client('beta')!.listContainers();

    // Fixing the file is enough: it is read again on the next attempt.
    fs.copyFileSync(tls.ca!, missing);
    await live.refresh('bad-tls');
    assert.equal(live.host('bad-tls')?.state, 'connected', live.host('bad-tls')?.error?.message);
    assert.ok(live.findContainer('bad-tls', onAlpha));
  });

  it('follows docker context create and rm when crosslink.hosts is empty, through file events (no poll)', async () => {
    const configDir = tempDir('crosslink-docker-config-');
    const made = newModel(logger);
    model = made.model;
    const apply = () => made.model.setHosts(discoverLocalHosts({ env: {}, configDir }, true, logger));
    await apply();
    const watcher = watchDockerCliConfig(configDir, () => void apply(), { settleMs: 50, fallbackPollMs: 60_000 });
    try {
      const contextName = uniqueName('ctx');
      execFileSync('docker', ['--config', configDir, 'context', 'create', contextName, '--docker', `host=${alphaHost.tcpUrl}`], { stdio: 'pipe' });
      await waitFor(() => made.model.host(contextName)?.state === 'connected', `context ${contextName} listed and connected`, 10_000);
      execFileSync('docker', ['--config', configDir, 'context', 'rm', contextName], { stdio: 'pipe' });
      await waitFor(() => made.model.host(contextName) === undefined, `context ${contextName} gone`, 10_000);
    } finally {
      watcher.dispose();
    }
  });

  describe('ssh', () => {
    const betaKnownHosts = (betaHost as { knownHostsFile?: string }).knownHostsFile!;

    async function sshModel(knownHostsFiles: string[], entry = beta) {
      const made = newModel(logger, { sshFiles: testbedSshFiles({ knownHostsFiles }) });
      model = made.model;
      await model.setHosts(specs(entry));
      return model.host(entry.name)!;
    }

    it('refuses a host whose key differs from known_hosts', async () => {
      const dir = tempDir('crosslink-kh-');
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'impostor')]);
      const impostorKey = fs.readFileSync(path.join(dir, 'impostor.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
      fs.writeFileSync(path.join(dir, 'known_hosts'), `${betaHost.ip} ${impostorKey}\n`);
      const host = await sshModel([path.join(dir, 'known_hosts')]);
      assert.equal(host.state, 'unreachable');
      assert.ok(HostError.is(host.error, 'hostKey'), `reason: ${host.error?.reason}`);
      assert.match(host.error!.message, /CHANGED.*ssh-keygen -R/);
    });

    it('refuses an unknown host and says how to trust it', async () => {
      const host = await sshModel(['/nonexistent/known_hosts']);
      assert.ok(HostError.is(host.error, 'hostKey'));
      assert.match(host.error!.message, /not in known_hosts.*ssh-keyscan -p 22 10\.231\.0\.12/);
    });

    it('refuses the real key when a @revoked line names it, even after a line that trusts it, in another file', async () => {
      const dir = tempDir('crosslink-kh-');
      const trusted = fs.readFileSync(betaKnownHosts, 'utf8').trim();
      const revoked = trusted
        .split('\n')
        .map((entry) => `@revoked ${entry}`)
        .join('\n');
      fs.writeFileSync(path.join(dir, 'known_hosts'), `${trusted}\n${revoked}\n`);
      const sameFile = await sshModel([path.join(dir, 'known_hosts')]);
      assert.equal(sameFile.state, 'unreachable');
      assert.ok(HostError.is(sameFile.error, 'hostKey'), `reason: ${sameFile.error?.reason}: ${sameFile.error?.message}`);
      assert.match(sameFile.error!.message, /@revoked/);
      model?.dispose();
      fs.writeFileSync(path.join(dir, 'ssh_known_hosts'), `${revoked}\n`);
      const acrossFiles = await sshModel([betaKnownHosts, '/nonexistent/known_hosts2', path.join(dir, 'ssh_known_hosts')]);
      assert.ok(HostError.is(acrossFiles.error, 'hostKey'), `reason: ${acrossFiles.error?.reason}: ${acrossFiles.error?.message}`);
    });

    it('accepts a key listed only in the global known_hosts file', async () => {
      const systemDir = tempDir('crosslink-etc-ssh-');
      fs.copyFileSync(betaKnownHosts, path.join(systemDir, 'ssh_known_hosts'));
      const homeDir = tempDir('crosslink-home-');
      const { knownHostsFiles } = defaultSshFiles({}, homeDir, systemDir);
      const host = await sshModel(knownHostsFiles);
      assert.equal(host.state, 'connected', host.error?.message);
    });

    it('refuses a host vouched for only by a @cert-authority line, with its own reason', async () => {
      const dir = tempDir('crosslink-kh-');
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'ca')]);
      const caKey = fs.readFileSync(path.join(dir, 'ca.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
      fs.writeFileSync(path.join(dir, 'known_hosts'), `@cert-authority 10.231.0.* ${caKey}\n`);
      const host = await sshModel([path.join(dir, 'known_hosts')]);
      assert.equal(host.state, 'unreachable');
      assert.ok(HostError.is(host.error, 'hostCertificate'), `reason: ${host.error?.reason}: ${host.error?.message}`);
      assert.match(host.error!.message, /@cert-authority.*ssh-keyscan/);
    });

    it('reports a key the server does not accept as an authentication failure', async () => {
      const dir = tempDir('crosslink-key-');
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'stranger')]);
      const host = await sshModel([betaKnownHosts], { ...beta, identityFile: path.join(dir, 'stranger') });
      assert.ok(HostError.is(host.error, 'auth'), `reason: ${host.error?.reason}`);
      assert.match(host.error!.message, /authentication as root@10\.231\.0\.12:22 failed \(tried key .*stranger\)/);
    });

    it('names an identity file that cannot be read in the error (credentials)', async () => {
      const missing = path.join(tempDir('crosslink-key-'), 'id_missing');
      const host = await sshModel([betaKnownHosts], { ...beta, identityFile: missing });
      assert.equal(host.state, 'unreachable');
      assert.ok(HostError.is(host.error, 'credentials'), `reason: ${host.error?.reason}: ${host.error?.message}`);
      assert.ok(host.error!.message.includes(`${missing} (ENOENT)`), host.error!.message);
    });

    it('honours ~/.ssh/config aliases (HostName, User, IdentityFile), also from Included files', async () => {
      const dir = tempDir('crosslink-sshcfg-');
      const configFile = path.join(dir, 'config');
      const aliasBlock = (alias: string) => `Host ${alias}\n  HostName ${betaHost.ip}\n  User root\n  IdentityFile ${beta.identityFile}\n`;
      fs.mkdirSync(path.join(dir, 'config.d'));
      fs.writeFileSync(path.join(dir, 'config.d', 'testbed'), aliasBlock('testbed-beta-included'));
      fs.writeFileSync(configFile, `Include config.d/*\n${aliasBlock('testbed-beta')}`);
      const made = newModel(logger, { sshFiles: testbedSshFiles({ configFile }) });
      model = made.model;
      await model.setHosts(specs({ name: 'aliased', url: 'ssh://testbed-beta' }, { name: 'included', url: 'ssh://testbed-beta-included' }));
      for (const name of ['aliased', 'included']) {
        assert.equal(model.host(name)?.state, 'connected', model.host(name)?.error?.message);
      }
    });

    it('reaches a host through a ProxyJump host from ~/.ssh/config, and names the hop that failed', async () => {
      const dir = tempDir('crosslink-jump-');
      const configFile = path.join(dir, 'config');
      const jumpHost = `Host testbed-jump\n  HostName ${betaHost.ip}\n  User root\n  IdentityFile ${beta.identityFile}\n`;
      // beta is its own jump host: the hop to its sshd starts inside beta's namespace.
      fs.writeFileSync(
        configFile,
        `Host behind-jump\n  HostName ${betaHost.ip}\n  User root\n  IdentityFile ${beta.identityFile}\n  ProxyJump testbed-jump\n` +
          `Host nowhere-behind-jump\n  HostName 10.231.0.99\n  ProxyJump testbed-jump\n${jumpHost}`,
      );
      const made = newModel(logger, { sshFiles: testbedSshFiles({ configFile }) });
      model = made.model;
      await model.setHosts(specs({ name: 'jumped', url: 'ssh://behind-jump' }, { name: 'unreachable', url: 'ssh://nowhere-behind-jump' }));
      assert.equal(model.host('jumped')?.state, 'connected', model.host('jumped')?.error?.message);
      const hopsFromInsideBeta = inNamespace('beta', ['ss', '-Htn', 'state', 'established', 'src', String(betaHost.ip), 'dst', `${betaHost.ip}:22`]);
      assert.notEqual(hopsFromInsideBeta.trim(), '', 'the connection to sshd was opened from the jump host');
      const error = model.host('unreachable')?.error;
      assert.ok(HostError.is(error, 'unreachable'), `reason: ${error?.reason}: ${error?.message}`);
      assert.match(error!.message, /jump host testbed-jump could not connect to 10\.231\.0\.99:22/);
    });

    for (const sshClient of sshClients) {
      it(`shares one SSH connection between API calls and the event stream, and recovers when it drops (${sshClient.name})`, async () => {
        model = newModel(logger, sshClient.options()).model;
        const live = model;
        await live.setHosts(specs(beta));
        const client = live.client('beta')!;
        await Promise.all([client.listContainers(), client.version(), client.listContainers(), client.version()]);
        assert.equal(sshConnectionsToBeta(), 1, 'one TCP connection to sshd');

        // Kill the sshd process serving this connection: the model must notice, reconnect and resync.
        const sessionPids = execFileSync('pgrep', ['-P', fs.readFileSync('/run/crosslink-testbed/beta/sshd.pid', 'utf8').trim()], { encoding: 'utf8' })
          .trim()
          .split('\n')
          .filter(Boolean);
        execFileSync('kill', ['-KILL', ...sessionPids]);
        await waitFor(() => live.host('beta')?.state !== 'connected', 'beta noticed the drop', 15_000);
        const name = fixture(betaHost, 'after-drop');
        await waitFor(() => live.host('beta')?.state === 'connected' && live.findContainer('beta', name) !== undefined, 'reconnected and resynced', 15_000);
        assert.equal(sshConnectionsToBeta(), 1, 'still one connection after reconnecting');
      });
    }
  });
});

/** Established TCP connections from this process to beta's sshd. */
function sshConnectionsToBeta(): number {
  const output = execFileSync('ss', ['-Htnp', 'state', 'established', 'dst', `${testbedHost(testbed, 'beta', 1).ip}:22`], { encoding: 'utf8' });
  const pids = ownProcessTree();
  return output.split('\n').filter((line) => pids.some((pid) => line.includes(`pid=${pid},`))).length;
}
