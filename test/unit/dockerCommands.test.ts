import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { comment, concatCommands, dockerCommandsFor, looksSecret } from '../../src/core/links/dockerCommands';
import { shellQuote } from '../../src/core/values/shell';
import type { ImageConfig } from '../../src/core/types';
import { inspectDocument } from './fakes/inspectDocument';

const fixtureImage: ImageConfig = { env: ['PATH=/bin'], cmd: ['sh'], entrypoint: null, labels: {}, exposedPorts: [], workingDir: '', user: '' };
const none = { networks: [], volumes: [] };

/** The argv a POSIX shell makes of a line (so the test checks the quoting, not our own parser). */
function shellWords(line: string): string[] {
  return execFileSync('sh', ['-c', `set -- ${line}\nprintf '%s\\0' "$@"`], { encoding: 'utf8' })
    .split('\0')
    .slice(0, -1);
}

function runLine(config: object = {}, hostConfig: object = {}, extra: { image?: ImageConfig; mounts?: object[]; networks?: object; includeSecrets?: boolean } = {}) {
  const details = inspectDocument('web', { config, hostConfig, mounts: extra.mounts, networks: extra.networks });
  const result = dockerCommandsFor(details, extra.image ?? fixtureImage, none, { includeSecrets: extra.includeSecrets });
  return { ...result, run: result.lines.find((line) => line.startsWith('docker run'))! };
}

describe('docker commands (unit)', () => {
  it('gives static addresses, aliases and driver options on every network', () => {
    const details = inspectDocument('web', {
      config: { MacAddress: '02:42:ac:11:00:99' },
      hostConfig: { NetworkMode: 'front' },
      networks: {
        front: { Aliases: ['web-front'], IPAMConfig: { IPv4Address: '172.30.0.5', IPv6Address: 'fd00::5', LinkLocalIPs: ['169.254.1.5'] } },
        back: { Aliases: ['api'], IPAMConfig: { IPv4Address: '172.31.0.9' }, DriverOpts: { 'com.example.opt': 'x' } },
      },
    });
    const { lines } = dockerCommandsFor(details, fixtureImage, none);
    assert.deepEqual(lines, [
      'docker run -d --name web --network front --network-alias web-front --ip 172.30.0.5 --ip6 fd00::5 --link-local-ip 169.254.1.5 --mac-address 02:42:ac:11:00:99 crosslink/fixture:latest sleep 600',
      'docker network connect --alias api --ip 172.31.0.9 --driver-opt com.example.opt=x back web',
    ]);
  });

  it('carries every hardening, namespace, resource and logging flag', () => {
    const { run } = runLine(
      {
        Domainname: 'example.org',
        Hostname: 'web-1',
        User: '1000:1000',
        WorkingDir: '/srv',
        StopSignal: 'SIGINT',
        StopTimeout: 5,
        Tty: true,
        OpenStdin: true,
        Healthcheck: { Test: ['CMD-SHELL', 'nc -z localhost 80'], Interval: 30e9, Timeout: 1.5e9, StartPeriod: 60e9, Retries: 3 },
        MacAddress: '02:42:ac:11:00:99',
      },
      {
        CapAdd: ['NET_ADMIN'],
        CapDrop: ['ALL'],
        SecurityOpt: ['no-new-privileges:true', 'apparmor=unconfined'],
        ReadonlyRootfs: true,
        PidsLimit: 64,
        UsernsMode: 'host',
        Devices: [{ PathOnHost: '/dev/fuse', PathInContainer: '/dev/fuse', CgroupPermissions: 'rwm' }],
        DeviceRequests: [
          { Driver: '', Count: -1, DeviceIDs: null, Capabilities: [['gpu']] },
          { Driver: 'nvidia', DeviceIDs: ['0', '1'], Capabilities: [['gpu', 'utility']] },
        ],
        Tmpfs: { '/run': 'rw,size=65536k', '/tmp': '' },
        Dns: ['10.0.0.2'],
        DnsSearch: ['corp.example'],
        DnsOptions: ['ndots:2'],
        ExtraHosts: ['db.local:10.0.0.5'],
        LogConfig: { Type: 'json-file', Config: { 'max-size': '10m' } },
        Init: true,
        Ulimits: [
          { Name: 'nofile', Soft: 1024, Hard: 2048 },
          { Name: 'nproc', Soft: 64, Hard: 64 },
        ],
        Sysctls: { 'net.ipv4.ip_unprivileged_port_start': '0' },
        IpcMode: 'shareable',
        PidMode: 'host',
        UTSMode: 'host',
        CgroupnsMode: 'private',
        ShmSize: 128 * 1024 * 1024,
        Memory: 256 * 1024 * 1024,
        MemorySwap: -1,
        MemoryReservation: 128 * 1024 * 1024,
        NanoCpus: 1.5e9,
        CpuShares: 512,
        OomScoreAdj: 100,
        Privileged: true,
        GroupAdd: ['audio'],
        Runtime: 'crun',
        PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }], '53/udp': [{ HostIp: '::1', HostPort: '5353' }] },
        PublishAllPorts: true,
        RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 },
      },
    );
    const words = shellWords(run);
    const pairs = (flag: string) => words.flatMap((word, index) => (word === flag ? [words[index + 1]] : []));
    assert.deepEqual(pairs('--cap-add'), ['NET_ADMIN']);
    assert.deepEqual(pairs('--cap-drop'), ['ALL']);
    assert.deepEqual(pairs('--security-opt'), ['no-new-privileges:true', 'apparmor=unconfined']);
    assert.deepEqual(pairs('--pids-limit'), ['64']);
    assert.deepEqual(pairs('--userns'), ['host']);
    assert.deepEqual(pairs('--device'), ['/dev/fuse:/dev/fuse:rwm']);
    assert.deepEqual(pairs('--gpus'), ['all', '"device=0,1",capabilities=utility']);
    assert.deepEqual(pairs('--tmpfs'), ['/run:rw,size=65536k', '/tmp']);
    assert.deepEqual([pairs('--dns'), pairs('--dns-search'), pairs('--dns-option')], [['10.0.0.2'], ['corp.example'], ['ndots:2']]);
    assert.deepEqual(pairs('--add-host'), ['db.local:10.0.0.5']);
    assert.deepEqual(pairs('--health-cmd'), ['nc -z localhost 80']);
    assert.deepEqual([pairs('--health-interval'), pairs('--health-timeout'), pairs('--health-start-period'), pairs('--health-retries')], [['30s'], ['1500ms'], ['1m'], ['3']]);
    assert.deepEqual([pairs('--log-driver'), pairs('--log-opt')], [['json-file'], ['max-size=10m']]);
    assert.deepEqual(pairs('--ulimit'), ['nofile=1024:2048', 'nproc=64']);
    assert.deepEqual(pairs('--sysctl'), ['net.ipv4.ip_unprivileged_port_start=0']);
    assert.deepEqual([pairs('--ipc'), pairs('--pid'), pairs('--uts'), pairs('--cgroupns')], [['shareable'], ['host'], ['host'], ['private']]);
    assert.deepEqual(pairs('--shm-size'), ['134217728b']);
    assert.deepEqual(
      [pairs('--memory'), pairs('--memory-swap'), pairs('--memory-reservation'), pairs('--cpus'), pairs('--cpu-shares')],
      [['268435456b'], ['-1'], ['134217728b'], ['1.5'], ['512']],
    );
    assert.deepEqual([pairs('--stop-signal'), pairs('--stop-timeout')], [['SIGINT'], ['5']]);
    assert.deepEqual([pairs('--hostname'), pairs('--domainname'), pairs('--user'), pairs('--workdir')], [['web-1'], ['example.org'], ['1000:1000'], ['/srv']]);
    assert.deepEqual([pairs('--group-add'), pairs('--runtime'), pairs('--oom-score-adj'), pairs('--mac-address')], [['audio'], ['crun'], ['100'], ['02:42:ac:11:00:99']]);
    assert.deepEqual(pairs('-p'), ['127.0.0.1::80', '[::1]:5353:53/udp']);
    assert.deepEqual(pairs('--restart'), ['on-failure:3']);
    for (const flag of ['--read-only', '--init', '--privileged', '-P', '-t', '-i']) {
      assert.ok(words.includes(flag), flag);
    }
  });

  it('leaves out engine defaults', () => {
    const { run } = runLine(
      {},
      {
        LogConfig: { Type: 'json-file', Config: {} },
        IpcMode: 'private',
        CgroupnsMode: 'host',
        ShmSize: 64 * 1024 * 1024,
        Runtime: 'runc',
        Memory: 64 * 1024 * 1024,
        MemorySwap: 128 * 1024 * 1024,
        MemorySwappiness: null,
        PidsLimit: null,
        Init: null,
        ConsoleSize: [0, 0],
        Dns: [],
      },
    );
    assert.equal(run, 'docker run -d --name web --memory 67108864b crosslink/fixture:latest sleep 600');
  });

  it('gives anonymous volumes by their real source, --mount ones and engine-made ones alike, with their options', () => {
    const { run } = runLine(
      {},
      {
        Binds: ['/srv/conf:/conf:ro,z'],
        Mounts: [
          { Type: 'volume', Target: '/data' },
          { Type: 'bind', Source: '/srv/logs', Target: '/logs', BindOptions: { Propagation: 'rslave' } },
          { Type: 'tmpfs', Target: '/cache', TmpfsOptions: { SizeBytes: 1048576, Mode: 0o1777 } },
          { Type: 'volume', Source: 'named', Target: '/named', VolumeOptions: { NoCopy: true, Labels: { a: 'b,c' } } },
        ],
      },
      {
        mounts: [
          { Type: 'volume', Name: 'f00d', Source: '/var/lib/docker/volumes/f00d/_data', Destination: '/data', RW: true },
          { Type: 'volume', Name: 'beef', Source: '/var/lib/docker/volumes/beef/_data', Destination: '/var/lib/image-volume', RW: true },
          { Type: 'bind', Source: '/srv/conf', Destination: '/conf', RW: false },
        ],
      },
    );
    const words = shellWords(run);
    const mounts = words.flatMap((word, index) => (word === '--mount' ? [words[index + 1]] : []));
    assert.deepEqual(mounts, [
      'type=volume,src=f00d,dst=/data',
      'type=bind,src=/srv/logs,dst=/logs,bind-propagation=rslave',
      'type=tmpfs,dst=/cache,tmpfs-size=1048576,tmpfs-mode=1777',
      'type=volume,src=named,dst=/named,volume-nocopy,"volume-label=a=b,c"',
      'type=volume,src=beef,dst=/var/lib/image-volume',
    ]);
    assert.ok(run.includes('-v /srv/conf:/conf:ro,z'));
  });

  describe('entrypoint and command', () => {
    const image: ImageConfig = { ...fixtureImage, entrypoint: ['socat'], cmd: ['-h'] };
    it('keeps a cleared entrypoint as --entrypoint ""', () => {
      assert.match(runLine({ Entrypoint: null, Cmd: ['sh'] }, {}, { image }).run, / --entrypoint '' crosslink\/fixture:latest sh$/);
    });
    it('gives a new entrypoint and its arguments, and leaves out the image ones', () => {
      assert.match(runLine({ Entrypoint: ['/bin/sh', '-c'], Cmd: ['echo hi'] }, {}, { image }).run, / --entrypoint \/bin\/sh crosslink\/fixture:latest -c 'echo hi'$/);
      assert.match(runLine({ Entrypoint: ['socat'], Cmd: ['-h'] }, {}, { image }).run, / crosslink\/fixture:latest$/);
    });
    it('says --no-healthcheck when the image check was switched off', () => {
      const withCheck = { ...fixtureImage, healthcheck: { Test: ['CMD', 'true'] } };
      assert.ok(runLine({ Healthcheck: { Test: ['NONE'] } }, {}, { image: withCheck }).run.includes(' --no-healthcheck '));
      assert.ok(!runLine({ Healthcheck: { Test: ['CMD', 'true'] } }, {}, { image: withCheck }).run.includes('--health'));
    });
  });

  describe('secrets', () => {
    const env = ['PATH=/bin', 'DB_PASSWORD=hunter2', 'passwd=x', 'API_TOKEN=t', 'client_secret=s', 'AWS_ACCESS_KEY_ID=k', 'GIT_CREDENTIALS=c', 'MODE=prod', 'EMPTY_TOKEN='];
    const logConfig = { Type: 'splunk', Config: { 'splunk-token': 'abc', 'splunk-url': 'https://splunk' } };

    it('masks env and --log-opt values whose names look secret, and counts them', () => {
      const { run, maskedValues } = runLine({ Env: env }, { LogConfig: logConfig });
      const words = shellWords(run);
      const values = (flag: string) => words.flatMap((word, index) => (word === flag ? [words[index + 1]] : []));
      assert.deepEqual(values('-e'), [
        'DB_PASSWORD=<redacted>',
        'passwd=<redacted>',
        'API_TOKEN=<redacted>',
        'client_secret=<redacted>',
        'AWS_ACCESS_KEY_ID=<redacted>',
        'GIT_CREDENTIALS=<redacted>',
        'MODE=prod',
        'EMPTY_TOKEN=',
      ]);
      assert.deepEqual(values('--log-opt'), ['splunk-token=<redacted>', 'splunk-url=https://splunk']);
      assert.equal(maskedValues, 7);
      assert.ok(!run.includes('hunter2') && !run.includes('abc'));
    });

    it('gives them as they are with includeSecrets', () => {
      const { run, maskedValues } = runLine({ Env: env }, { LogConfig: logConfig }, { includeSecrets: true });
      assert.equal(maskedValues, 0);
      assert.ok(run.includes('DB_PASSWORD=hunter2') && run.includes('splunk-token=abc'));
    });

    it('matches names case-insensitively', () => {
      for (const name of ['password', 'MyPasswd', 'token', 'Secret', 'ssh_key', 'credential']) {
        assert.ok(looksSecret(name), name);
      }
      assert.ok(!looksSecret('MODE'));
    });
  });

  describe('quoting', () => {
    it('quotes every argument a shell would split or expand', () => {
      const hostile = ["it's", 'a b', '$(touch pwned)', '`id`', 'x;y', 'line1\nline2', '*', '~', ''];
      const { run } = runLine({ Env: ['PATH=/bin', ...hostile.map((value, index) => `V${index}=${value}`)], Labels: { 'x\ny': '$HOME' } });
      const words = shellWords(run);
      assert.deepEqual(
        words.flatMap((word, index) => (words[index - 1] === '-e' ? [word] : [])),
        hostile.map((value, index) => `V${index}=${value}`),
      );
      assert.ok(words.includes('x\ny=$HOME'));
      assert.equal(shellQuote("it's"), `'it'\\''s'`);
    });

    it('makes a comment of any text: a newline or other control character cannot start a command', () => {
      const line = comment('on alpha (tcp://x\ntouch${IFS}pwned\r\n:2375\u2028)');
      assert.equal(line.split(/\r\n|\r|\n|\u2028|\u2029/).length, 1);
      assert.ok(line.startsWith('# '));
      assert.equal(execFileSync('sh', ['-c', `${line}\necho done`], { encoding: 'utf8' }), 'done\n');
    });
  });

  it('concatenates commands without repeating a shared line, adding up the masked values', () => {
    const joined = concatCommands({ lines: ['docker network create n', 'docker run a'], maskedValues: 1 }, { lines: ['docker network create n', 'docker run b'], maskedValues: 2 });
    assert.deepEqual(joined, { lines: ['docker network create n', 'docker run a', 'docker run b'], maskedValues: 3 });
  });
});
