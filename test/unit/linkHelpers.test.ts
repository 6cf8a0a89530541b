import * as assert from 'node:assert/strict';
import { dockerCommandsFor } from '../../src/core/links/dockerCommands';
import { shellQuote } from '../../src/core/values/shell';
import { aliasProblem, defaultAlias, mountPathProblem, networkNameProblem, portProblem } from '../../src/core/links/names';
import { inspectDocument } from './fakes/inspectDocument';

describe('link helpers (unit)', () => {
  it('validates aliases as DNS labels and derives a default from the target name', () => {
    for (const good of ['db', 'oracle-1', 'a'.repeat(63), 'X9']) {
      assert.equal(aliasProblem(good), undefined, good);
    }
    for (const bad of ['', '-db', 'db-', 'my_db', 'db.local', 'a'.repeat(64), 'db!']) {
      assert.ok(aliasProblem(bad), bad);
    }
    assert.equal(defaultAlias('my_db.1'), 'my-db-1');
    assert.equal(defaultAlias('__'), 'target');
  });

  it('validates network names, mount paths and ports', () => {
    assert.match(networkNameProblem('host') ?? '', /built-in/);
    assert.equal(networkNameProblem('app_net.1'), undefined);
    assert.match(mountPathProblem('data') ?? '', /absolute/);
    assert.match(mountPathProblem('/a/../b') ?? '', /cannot be a mount path/);
    assert.equal(mountPathProblem('/srv/data'), undefined);
    assert.match(portProblem(70000) ?? '', /1 to 65535/);
    assert.equal(portProblem(1521), undefined);
  });

  it('reproduces a container as docker commands, leaving out the image defaults', () => {
    const details = inspectDocument('web', {
      config: { Env: ['PATH=/bin', 'MODE=prod'], Cmd: ['sleep', '600'], Labels: { team: 'a b' } },
      hostConfig: {
        NetworkMode: 'appnet',
        Links: ['/database:/web/db'],
        PortBindings: { '8080/tcp': [{ HostIp: '10.231.0.11', HostPort: '18080' }] },
        Mounts: [{ Type: 'volume', Source: 'shared', Target: '/shared', ReadOnly: true }],
        RestartPolicy: { Name: 'unless-stopped' },
      },
      networks: { appnet: { Aliases: ['frontend'] }, backnet: { Aliases: ['api'] } },
    });
    const commands = dockerCommandsFor(
      details,
      { env: ['PATH=/bin'], cmd: ['sh'], entrypoint: null, labels: {}, exposedPorts: [], workingDir: '', user: '' },
      { networks: [{ id: '1', name: 'appnet', driver: 'bridge', labels: { 'crosslink.managed': 'true' }, containers: {} }], volumes: [] },
    );
    assert.deepEqual(commands.lines, [
      'docker network create --label crosslink.managed=true appnet',
      "docker run -d --name web -e MODE=prod --label 'team=a b' -p 10.231.0.11:18080:8080 --mount type=volume,src=shared,dst=/shared,readonly --network appnet --network-alias frontend --link database:db --restart unless-stopped crosslink/fixture:latest sleep 600",
      'docker network connect --alias api backnet web',
    ]);
    assert.equal(shellQuote("it's"), `'it'\\''s'`);
  });
});
