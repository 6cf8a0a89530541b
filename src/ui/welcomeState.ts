import type { HostSource } from '../core/hosts/hostSpec';
import type { HostState } from '../core/model/hostWatcher';

/**
 * The first-run welcome (viewsWelcome, context key `crosslink.noEngine`) replaces the tree when the
 * user configured no host and nothing Crosslink found on its own answers: the local engine is
 * absent and no Docker CLI context reaches an engine. Hosts from crosslink.hosts keep their rows
 * (with Retry, Edit and the reason) even when all are down. No run-time `vscode` import.
 */
export function noEngineAnswers(hosts: ReadonlyArray<{ spec: { source: HostSource }; state: HostState }>): boolean {
  return hosts.length > 0 && hosts.every((host) => host.spec.source !== 'settings' && (host.state === 'unreachable' || host.state === 'reconnecting'));
}

/** The hosts item shows once it tells more than the tree's one row would: more than one host, or when asked to. */
export function showHostsStatusItem(hostCount: number, alwaysShow: boolean): boolean {
  return alwaysShow || hostCount > 1;
}

/** A warning color only for a host the user configured, not for a default local engine that is simply absent. */
export function hostsNeedAttention(hosts: ReadonlyArray<{ spec: { source: HostSource }; state: HostState }>): boolean {
  return hosts.some((host) => host.state === 'unreachable' && host.spec.source !== 'default');
}
