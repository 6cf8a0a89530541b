import '../fakes/vscodeStub';
import * as assert from 'node:assert/strict';
import { ArgumentError, type ArgumentProblem } from '../../../src/ui/commands/command';
import { linkAcrossHostsCommand } from '../../../src/ui/commands/linkAcrossHosts';
import { removeCrossLinkCommand } from '../../../src/ui/commands/removeCrossLink';
import { switchCrossLinkCommand } from '../../../src/ui/commands/switchCrossLink';

function rejects(parse: () => unknown, field: string, reason: ArgumentProblem): void {
  assert.throws(parse, (error: unknown) => ArgumentError.is(error) && error.field === field && error.reason === reason);
}

describe('overlay link commands (unit)', () => {
  const base = { client: 'beta/app', target: 'alpha/db', port: 5432 };

  it('linkAcrossHosts: mode "overlay" takes encrypted and formSwarm; the default and old scripts stay ambassadors', () => {
    assert.deepEqual(linkAcrossHostsCommand.parse({ ...base, mode: 'overlay', encrypted: true, formSwarm: true }), {
      ...base,
      alias: undefined,
      mode: 'overlay',
      publish: undefined,
      writableLayer: undefined,
      confirmForeign: undefined,
      encrypted: true,
      formSwarm: true,
    });
    const old = linkAcrossHostsCommand.parse(base);
    assert.equal(old.mode, undefined, 'no mode: ambassadors, as before');
    assert.equal('encrypted' in old, false);
    rejects(() => linkAcrossHostsCommand.parse({ ...base, encrypted: true }), 'encrypted', 'conflict');
    rejects(() => linkAcrossHostsCommand.parse({ ...base, mode: 'network', formSwarm: true }), 'formSwarm', 'conflict');
    rejects(() => linkAcrossHostsCommand.parse({ ...base, mode: 'swarm' }), 'mode', 'invalidValue');
  });

  it('switchCrossLink: { client, alias, to } with the options of each direction', () => {
    assert.deepEqual(switchCrossLinkCommand.parse({ client: 'beta/app', alias: 'db', to: 'overlay', encrypted: true }), {
      client: 'beta/app',
      alias: 'db',
      to: 'overlay',
      encrypted: true,
      formSwarm: undefined,
      confirmForeign: undefined,
    });
    assert.deepEqual(switchCrossLinkCommand.parse({ client: 'beta/app', alias: 'db', to: 'ambassadors', publish: 21521 }), {
      client: 'beta/app',
      alias: 'db',
      to: 'ambassadors',
      publish: 21521,
      confirmForeign: undefined,
    });
    rejects(() => switchCrossLinkCommand.parse({ client: 'beta/app', alias: 'db' }), 'to', 'missing');
    rejects(() => switchCrossLinkCommand.parse({ client: 'beta/app', to: 'overlay' }), 'alias', 'missing');
    rejects(() => switchCrossLinkCommand.parse({ client: 'beta/app', alias: 'db', to: 'sideways' }), 'to', 'invalidValue');
  });

  it('removeCrossLink takes leaveSwarm, and only when given', () => {
    assert.equal(removeCrossLinkCommand.parse({ client: 'beta/app', alias: 'db', leaveSwarm: true }).leaveSwarm, true);
    assert.equal('leaveSwarm' in removeCrossLinkCommand.parse({ client: 'beta/app', alias: 'db' }), false);
    rejects(() => removeCrossLinkCommand.parse({ client: 'beta/app', alias: 'db', leaveSwarm: 'yes' }), 'leaveSwarm', 'wrongType');
  });
});
