import '../fakes/vscodeStub';
import * as assert from 'node:assert/strict';
import { ArgumentError } from '../../../src/ui/commands/command';
import type { CommandContext } from '../../../src/ui/commands/commandContext';
import { promptRecovery, recoverChangeCommand } from '../../../src/ui/commands/recoverChange';
import { InterruptedChangeNode } from '../../../src/ui/tree/treeNodes';
import { ScriptedPrompter, confirm, escape, goBack, notice, pick } from '../fakes/scriptedPrompter';

const change = { key: 'k', title: 'link web to db', containers: ['alpha/web'] };
const contextWith = (changes: unknown[]) =>
  ({ interrupted: { scan: async () => undefined, list: () => changes, forContainer: () => changes[0] }, model: { host: () => undefined } }) as unknown as CommandContext;

describe('Recover Interrupted Change (unit)', () => {
  it('parse: { container, action } and action is required when scripted', () => {
    assert.deepEqual(recoverChangeCommand.parse({ container: 'alpha/web', action: 'rollBack' }), { container: 'alpha/web', action: 'rollBack' });
    assert.throws(
      () => recoverChangeCommand.parse({ container: 'alpha/web' }),
      (error: unknown) => ArgumentError.is(error, 'missing') && error.field === 'action',
    );
    assert.throws(
      () => recoverChangeCommand.parse({ container: 'alpha/web', action: 'undo' }),
      (error: unknown) => ArgumentError.is(error, 'invalidValue') && error.field === 'action',
    );
  });

  it('palette: pick the change → Finish / Roll Back, Back between them; removals are confirmed by name', async () => {
    const ui = new ScriptedPrompter([
      pick('Recover an Interrupted Change', 'alpha/web'),
      goBack('pickOne', /Interrupted: link web to db/),
      pick('Recover an Interrupted Change', 'alpha/web'),
      pick(/Interrupted:/, 'Roll Back'),
      confirm('Remove web-parked?', 'Remove'),
    ]);
    const request = await promptRecovery(ui, contextWith([change]));
    assert.deepEqual({ ...request, confirmRemoval: undefined }, { container: 'alpha/web', action: 'rollBack', confirmRemoval: undefined });
    assert.equal(await request!.confirmRemoval!('Remove web-parked?'), true);
    ui.done();
  });

  it('from a notification node with its action: no prompt at all; Escape at the action ends it; none says so', async () => {
    const silent = new ScriptedPrompter([]);
    assert.equal((await promptRecovery(silent, contextWith([change]), new InterruptedChangeNode('alpha/web', 't', 'finish')))?.action, 'finish');
    silent.done();
    const escaped = new ScriptedPrompter([escape('pickOne', /Interrupted: t/)]);
    assert.equal(await promptRecovery(escaped, contextWith([change]), new InterruptedChangeNode('alpha/web', 't')), undefined);
    escaped.done();
    const none = new ScriptedPrompter([notice(/No interrupted Crosslink change/)]);
    assert.equal(await promptRecovery(none, contextWith([])), undefined);
    none.done();
  });
});
