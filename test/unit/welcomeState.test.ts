import * as assert from 'node:assert/strict';
import type { HostSource } from '../../src/core/hosts/hostSpec';
import type { HostState } from '../../src/core/model/hostWatcher';
import { hostsNeedAttention, noEngineAnswers, showHostsStatusItem } from '../../src/ui/welcomeState';

const host = (source: HostSource, state: HostState) => ({ spec: { source }, state });

describe('first run: welcome and hosts status item (unit)', () => {
  it('shows the welcome when nothing Crosslink found answers, and only then', () => {
    assert.equal(noEngineAnswers([host('default', 'unreachable')]), true);
    assert.equal(noEngineAnswers([host('default', 'unreachable'), host('context', 'reconnecting')]), true);
    assert.equal(noEngineAnswers([host('environment', 'unreachable')]), true);
    assert.equal(noEngineAnswers([]), false, 'before the hosts are read');
    assert.equal(noEngineAnswers([host('default', 'connecting')]), false, 'the first attempt is still running');
    assert.equal(noEngineAnswers([host('default', 'unreachable'), host('context', 'connected')]), false);
    assert.equal(noEngineAnswers([host('settings', 'unreachable')]), false, 'configured hosts keep their rows, with Retry and the reason');
  });

  it('shows the hosts item with more than one host, or when the setting asks', () => {
    assert.equal(showHostsStatusItem(1, false), false);
    assert.equal(showHostsStatusItem(0, false), false);
    assert.equal(showHostsStatusItem(2, false), true);
    assert.equal(showHostsStatusItem(1, true), true);
  });

  it('warns only for a host the user chose, not for an absent default engine', () => {
    assert.equal(hostsNeedAttention([host('default', 'unreachable'), host('context', 'connected')]), false);
    assert.equal(hostsNeedAttention([host('context', 'unreachable')]), true);
    assert.equal(hostsNeedAttention([host('settings', 'unreachable')]), true);
    assert.equal(hostsNeedAttention([host('settings', 'connecting')]), false);
  });
});
