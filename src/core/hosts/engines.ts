import type { EngineHost, EngineInfo } from '../types';

/**
 * Which engine answers the Docker API: Podman's service names itself in `/version`'s
 * Components ("Podman Engine"); Docker lists "Engine", containerd and runc.
 */
export function engineName(componentNames: readonly string[]): string {
  return componentNames.some((name) => /podman/i.test(name)) ? 'Podman' : 'Docker';
}

/** "Docker 20.10.24", "Podman 4.3.1": for tree rows, tooltips and logs. */
export function engineLabel(engine: EngineInfo): string {
  return `${engine.engine ?? 'Docker'} ${engine.version}`;
}

/** The machine this process runs on, as far as telling a VM engine apart needs. */
export interface LocalMachine {
  platform: NodeJS.Platform;
  /** `os.release()`: the running kernel, as `uname -r` prints it. */
  kernelRelease: string;
}

/** Whether a local engine's container IPs can be dialled from here, and why (for the log and tooltips). */
export interface ContainerIpReach {
  routable: boolean;
  why: string;
}

/**
 * Decides, from what a LOCAL engine (unix socket or named pipe) says about itself, whether
 * its containers' IPs are routable from this machine. They are when the engine shares this
 * machine's kernel (Linux dockerd, rootless Docker, Podman on Linux) and on OrbStack, which
 * routes them to the Mac; they are not when it runs in a VM: Docker Desktop (any OS, Linux
 * included), Colima, Podman machine, any Linux engine reached from macOS or Windows.
 */
export function containerIpReach(engine: EngineInfo, host: EngineHost, here: LocalMachine): ContainerIpReach {
  const platformName = engine.platformName ?? '';
  if (/orbstack/i.test(host.operatingSystem) || /orbstack/i.test(platformName)) {
    return { routable: true, why: 'OrbStack routes container IPs to this machine' };
  }
  if (/docker desktop/i.test(host.operatingSystem) || /^docker desktop/i.test(platformName)) {
    return { routable: false, why: 'Docker Desktop runs the engine in a VM' };
  }
  if (/^colima(-|$)/i.test(host.name)) {
    return { routable: false, why: 'Colima runs the engine in a VM' };
  }
  if (/^podman-machine/i.test(host.name)) {
    return { routable: false, why: 'Podman machine runs the engine in a VM' };
  }
  if (engine.os === 'linux' && here.platform !== 'linux') {
    return { routable: false, why: `a Linux engine reached from ${here.platform} runs in a VM` };
  }
  const kernel = host.kernelVersion || engine.kernelVersion;
  if (engine.os === 'linux' && kernel && kernel !== here.kernelRelease) {
    return { routable: false, why: `the engine's kernel ${kernel} is not this machine's (${here.kernelRelease}): it runs in a VM` };
  }
  return { routable: true, why: "the engine shares this machine's kernel" };
}

/**
 * The engines' default networks, where containers do not find each other by name (no DNS):
 * Docker's `bridge` and Podman's `podman`. A helper that must reach a container by name goes
 * on a user-defined network instead.
 */
export const defaultNetworks: ReadonlySet<string> = new Set(['bridge', 'podman']);

/**
 * Podman has no legacy links (its API answers "link is not supported"). Its containers are
 * recognised by Podman's default network, whose name Docker never uses; returns the refusal
 * to show, before anything is recreated.
 */
export function podmanLegacyLinkProblem(container: { name: string; networks: ReadonlyArray<{ name: string }> }): string | undefined {
  return container.networks.some((network) => network.name === 'podman')
    ? `${container.name} runs on Podman, which has no legacy links (--link). Use a network alias instead ("Connect Containers on a Network", or the network-alias mode of a cross-host link): it gives the same name without recreating anything.`
    : undefined;
}
