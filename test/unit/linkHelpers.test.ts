import * as assert from 'node:assert/strict';
import { aliasProblem, defaultAlias, mountPathProblem, networkNameProblem, portProblem } from '../../src/core/links/names';
import { parseProbeOutput } from '../../src/core/links/verifyLink';

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

  it('parses the probe output of each tool path', () => {
    assert.deepEqual(parseProbeOutput('resolved=172.17.0.3\nconnect=ok\ntool=socat\nelapsedNs=412345\n'), { resolvedIp: '172.17.0.3', connect: 'ok', elapsedMs: 0.41 });
    assert.deepEqual(parseProbeOutput('resolved=\n'), { resolvedIp: undefined, connect: undefined, elapsedMs: undefined });
    assert.deepEqual(parseProbeOutput('resolved=10.0.0.2\nconnect=fail\ntool=nc\nelapsedNs=3000000000'), { resolvedIp: '10.0.0.2', connect: 'fail', elapsedMs: 3000 });
  });
});
