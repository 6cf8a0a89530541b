import type { ContainerDetails, HealthcheckConfig, ImageConfig, NetworkSummary, VolumeSummary } from '../types';
import { isDefaultHostname, userAliases } from '../values/aliases';
import { isManaged } from '../values/labels';
import { command, shellQuote } from '../values/shell';

type Endpoint = {
  Aliases?: string[] | null;
  IPAMConfig?: { IPv4Address?: string; IPv6Address?: string; LinkLocalIPs?: string[] | null } | null;
  MacAddress?: string;
  DriverOpts?: Record<string, string> | null;
};

type ThrottleDevice = { Path: string; Rate: number };

interface InspectView {
  Id: string;
  Config: {
    Hostname?: string;
    Domainname?: string;
    User?: string;
    WorkingDir?: string;
    Env?: string[] | null;
    Cmd?: string[] | null;
    Entrypoint?: string[] | null;
    Labels?: Record<string, string> | null;
    ExposedPorts?: Record<string, object> | null;
    Tty?: boolean;
    OpenStdin?: boolean;
    StopSignal?: string;
    StopTimeout?: number | null;
    Healthcheck?: HealthcheckConfig | null;
    MacAddress?: string;
    Image: string;
  };
  HostConfig: {
    NetworkMode?: string;
    Links?: string[] | null;
    PortBindings?: Record<string, Array<{ HostIp?: string; HostPort?: string }> | null> | null;
    PublishAllPorts?: boolean;
    Binds?: string[] | null;
    Mounts?: MountSpec[] | null;
    Tmpfs?: Record<string, string> | null;
    VolumesFrom?: string[] | null;
    VolumeDriver?: string;
    RestartPolicy?: { Name?: string; MaximumRetryCount?: number };
    AutoRemove?: boolean;
    CapAdd?: string[] | null;
    CapDrop?: string[] | null;
    SecurityOpt?: string[] | null;
    Privileged?: boolean;
    ReadonlyRootfs?: boolean;
    UsernsMode?: string;
    IpcMode?: string;
    PidMode?: string;
    UTSMode?: string;
    CgroupnsMode?: string;
    CgroupParent?: string;
    Devices?: Array<{ PathOnHost: string; PathInContainer: string; CgroupPermissions?: string }> | null;
    DeviceRequests?: Array<{ Driver?: string; Count?: number; DeviceIDs?: string[] | null; Capabilities?: string[][] | null }> | null;
    DeviceCgroupRules?: string[] | null;
    Dns?: string[] | null;
    DnsSearch?: string[] | null;
    DnsOptions?: string[] | null;
    ExtraHosts?: string[] | null;
    GroupAdd?: string[] | null;
    Init?: boolean | null;
    Runtime?: string;
    Ulimits?: Array<{ Name: string; Soft: number; Hard: number }> | null;
    Sysctls?: Record<string, string> | null;
    ShmSize?: number;
    OomScoreAdj?: number;
    OomKillDisable?: boolean | null;
    LogConfig?: { Type?: string; Config?: Record<string, string> | null };
    Annotations?: Record<string, string> | null;
    Memory?: number;
    MemoryReservation?: number;
    MemorySwap?: number;
    MemorySwappiness?: number | null;
    NanoCpus?: number;
    CpuShares?: number;
    CpuPeriod?: number;
    CpuQuota?: number;
    CpuRealtimePeriod?: number;
    CpuRealtimeRuntime?: number;
    CpusetCpus?: string;
    CpusetMems?: string;
    BlkioWeight?: number;
    BlkioWeightDevice?: Array<{ Path: string; Weight: number }> | null;
    BlkioDeviceReadBps?: ThrottleDevice[] | null;
    BlkioDeviceWriteBps?: ThrottleDevice[] | null;
    BlkioDeviceReadIOps?: ThrottleDevice[] | null;
    BlkioDeviceWriteIOps?: ThrottleDevice[] | null;
    PidsLimit?: number | null;
  };
  NetworkSettings: { Networks?: Record<string, Endpoint> };
  Mounts?: Array<{ Type: string; Name?: string; Destination: string; RW: boolean }>;
}

interface MountSpec {
  Type: string;
  Source?: string;
  Target: string;
  ReadOnly?: boolean;
  Consistency?: string;
  BindOptions?: { Propagation?: string; NonRecursive?: boolean };
  VolumeOptions?: { NoCopy?: boolean; Labels?: Record<string, string> | null; DriverConfig?: { Name?: string; Options?: Record<string, string> | null } };
  TmpfsOptions?: { SizeBytes?: number; Mode?: number };
}

export interface DockerCommandsOptions {
  /** Put secret-looking env and --log-opt values on the clipboard as they are (default: masked). */
  includeSecrets?: boolean;
}

export interface DockerCommands {
  lines: string[];
  /** How many values were replaced by `<redacted>`. */
  maskedValues: number;
}

export const redacted = '<redacted>';

/** Names of env variables and log options whose values are masked unless the user asks for secrets. */
export function looksSecret(name: string): boolean {
  return /PASSWORD|PASSWD|TOKEN|SECRET|KEY|CREDENTIAL/i.test(name);
}

/** A shell comment line: control characters (a newline would end the comment and start a command) become spaces. */
export function comment(text: string): string {
  return `# ${text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ')}`;
}

/** The value to copy for a setting named `name`: itself, or `<redacted>` (counted). */
type Mask = (name: string, value: string) => string;

/** The default ShmSize (64 MiB) of every engine. */
const defaultShmSize = 64 * 1024 * 1024;

/**
 * `docker network create`, `docker volume create`, `docker run` and `docker network connect`
 * lines that reproduce a container and the Crosslink-made objects it uses: every setting a
 * recreation keeps (Config and HostConfig, anonymous volumes by their real source, static
 * addresses and aliases on every network), leaving out what the image provides and engine
 * defaults. Secret-looking env and log-option values are masked unless `includeSecrets`.
 */
export function dockerCommandsFor(
  details: ContainerDetails,
  image: ImageConfig,
  context: { networks: NetworkSummary[]; volumes: VolumeSummary[]; engine?: { os: string; arch: string } },
  options: DockerCommandsOptions = {},
): DockerCommands {
  const raw = details.raw as unknown as InspectView;
  const lines: string[] = [];
  let maskedValues = 0;
  const mask: Mask = (name, value) => {
    if (options.includeSecrets || !looksSecret(name) || value === '') {
      return value;
    }
    maskedValues++;
    return redacted;
  };

  const networkNames = Object.keys(raw.NetworkSettings.Networks ?? {});
  for (const network of context.networks.filter((candidate) => networkNames.includes(candidate.name) && isManaged(candidate.labels))) {
    lines.push(networkCreateCommand(network));
  }
  const mounts = mountsWithSources(raw);
  const mountedVolumes = new Set(mounts.filter((mount) => mount.Type === 'volume').map((mount) => mount.Source));
  for (const volume of context.volumes.filter((candidate) => mountedVolumes.has(candidate.name) && isManaged(candidate.labels))) {
    lines.push(command('docker', 'volume', 'create', ...labelFlags(volume.labels), volume.name));
  }

  const run: string[] = ['docker', 'run', '-d', '--name', details.name];
  run.push(...configFlags(raw, image, mask));
  run.push(...storageFlags(raw, mounts));
  const networkMode = raw.HostConfig.NetworkMode ?? 'default';
  const primary = networkMode === 'default' ? 'bridge' : networkMode;
  if (networkMode !== 'default' && networkMode !== 'bridge') {
    run.push('--network', networkMode);
  }
  run.push(...endpointFlags(raw, primary, 'run'));
  run.push(...hostConfigFlags(raw, mask));
  if (raw.Config.MacAddress) {
    run.push('--mac-address', raw.Config.MacAddress);
  }
  if (image.platform && context.engine && image.platform !== `${context.engine.os}/${context.engine.arch}`) {
    run.push('--platform', image.platform);
  }
  run.push(...entrypointAndImage(raw, image));
  lines.push(command(...run));

  for (const network of networkNames.filter((name) => name !== primary)) {
    lines.push(command('docker', 'network', 'connect', ...endpointFlags(raw, network, 'connect'), network, details.name));
  }
  return { lines, maskedValues };
}

/** Several containers' commands in order; a line already given (a network both use) is not repeated. */
export function concatCommands(...parts: DockerCommands[]): DockerCommands {
  const lines = [...new Set(parts.flatMap((part) => part.lines))];
  return { lines, maskedValues: parts.reduce((sum, part) => sum + part.maskedValues, 0) };
}

/** `docker network create` with the network's driver and labels. */
export function networkCreateCommand(network: NetworkSummary): string {
  const driver = network.driver && network.driver !== 'bridge' ? ['--driver', network.driver] : [];
  return command('docker', 'network', 'create', ...driver, ...labelFlags(network.labels), network.name);
}

/** `docker network connect` for a container that is on `network` (with its own aliases and static addresses there). */
export function networkConnectCommand(details: ContainerDetails, network: string): string {
  return command('docker', 'network', 'connect', ...endpointFlags(details.raw as unknown as InspectView, network, 'connect'), network, details.name);
}

function configFlags(raw: InspectView, image: ImageConfig, mask: Mask): string[] {
  const config = raw.Config;
  const flags: string[] = [];
  if (config.Hostname && !isDefaultHostname(config.Hostname)) {
    flags.push('--hostname', config.Hostname);
  }
  if (config.Domainname) {
    flags.push('--domainname', config.Domainname);
  }
  if (config.User && config.User !== image.user) {
    flags.push('--user', config.User);
  }
  if (config.WorkingDir && config.WorkingDir !== image.workingDir) {
    flags.push('--workdir', config.WorkingDir);
  }
  if (config.Tty) {
    flags.push('-t');
  }
  if (config.OpenStdin) {
    flags.push('-i');
  }
  for (const variable of (config.Env ?? []).filter((entry) => !image.env.includes(entry))) {
    const separator = variable.indexOf('=');
    flags.push('-e', separator < 0 ? variable : `${variable.slice(0, separator)}=${mask(variable.slice(0, separator), variable.slice(separator + 1))}`);
  }
  flags.push(...labelFlags(Object.fromEntries(Object.entries(config.Labels ?? {}).filter(([key, value]) => image.labels[key] !== value))));
  for (const port of Object.keys(config.ExposedPorts ?? {}).filter((port) => !image.exposedPorts.includes(port))) {
    if (!raw.HostConfig.PortBindings?.[port]) {
      flags.push('--expose', port.replace(/\/tcp$/, ''));
    }
  }
  if (config.StopSignal && config.StopSignal !== (image.stopSignal ?? '')) {
    flags.push('--stop-signal', config.StopSignal);
  }
  if (typeof config.StopTimeout === 'number') {
    flags.push('--stop-timeout', String(config.StopTimeout));
  }
  flags.push(...healthcheckFlags(config.Healthcheck ?? undefined, image.healthcheck));
  return flags;
}

function healthcheckFlags(health: HealthcheckConfig | undefined, fromImage: HealthcheckConfig | undefined): string[] {
  if (!health || JSON.stringify(health) === JSON.stringify(fromImage)) {
    return [];
  }
  const test = health.Test ?? [];
  if (test[0] === 'NONE') {
    return ['--no-healthcheck'];
  }
  const flags: string[] = [];
  // `docker run` takes only the shell form; an exec-form test becomes the same words run by the shell.
  if (test[0] === 'CMD-SHELL') {
    flags.push('--health-cmd', test[1] ?? '');
  } else if (test[0] === 'CMD') {
    flags.push('--health-cmd', test.slice(1).map(shellQuote).join(' '));
  }
  const durations: Array<[keyof HealthcheckConfig, string]> = [
    ['Interval', '--health-interval'],
    ['Timeout', '--health-timeout'],
    ['StartPeriod', '--health-start-period'],
    ['StartInterval', '--health-start-interval'],
  ];
  for (const [field, flag] of durations) {
    const value = health[field] as number | undefined;
    if (value) {
      flags.push(flag, goDuration(value));
    }
  }
  if (health.Retries) {
    flags.push('--health-retries', String(health.Retries));
  }
  return flags;
}

/** Published ports and everything mounted. */
function storageFlags(raw: InspectView, mounts: MountSpec[]): string[] {
  const host = raw.HostConfig;
  const flags = new FlagList();
  if (host.PublishAllPorts) {
    flags.push('-P');
  }
  for (const [port, bindings] of Object.entries(host.PortBindings ?? {})) {
    for (const binding of bindings ?? []) {
      const hostIp = binding.HostIp && binding.HostIp.includes(':') ? `[${binding.HostIp}]` : binding.HostIp;
      const hostSide = hostIp ? `${hostIp}:${binding.HostPort ?? ''}:` : binding.HostPort ? `${binding.HostPort}:` : '';
      flags.push('-p', `${hostSide}${port.replace(/\/tcp$/, '')}`);
    }
  }
  flags.repeat('-v', host.Binds);
  for (const mount of mounts) {
    flags.push('--mount', mountFlag(mount));
  }
  for (const [target, tmpfsOptions] of Object.entries(host.Tmpfs ?? {})) {
    flags.push('--tmpfs', tmpfsOptions ? `${target}:${tmpfsOptions}` : target);
  }
  flags.repeat('--volumes-from', host.VolumesFrom);
  flags.text('--volume-driver', host.VolumeDriver);
  return flags;
}

/** Links, restart policy, privileges and isolation, devices, DNS, logging and resources. */
function hostConfigFlags(raw: InspectView, mask: Mask): string[] {
  const host = raw.HostConfig;
  const flags = new FlagList();
  for (const link of host.Links ?? []) {
    const [target, clientAlias] = link.split(':');
    flags.push('--link', `${target.replace(/^\//, '')}:${clientAlias.split('/').pop()}`);
  }
  const restart = host.RestartPolicy;
  if (restart?.Name && restart.Name !== 'no') {
    flags.push('--restart', restart.Name === 'on-failure' && restart.MaximumRetryCount ? `on-failure:${restart.MaximumRetryCount}` : restart.Name);
  }
  if (host.AutoRemove) {
    flags.push('--rm');
  }
  if (host.Privileged) {
    flags.push('--privileged');
  }
  flags.repeat('--cap-add', host.CapAdd);
  flags.repeat('--cap-drop', host.CapDrop);
  flags.repeat('--security-opt', host.SecurityOpt);
  if (host.ReadonlyRootfs) {
    flags.push('--read-only');
  }
  flags.text('--userns', host.UsernsMode);
  // Engine defaults are left out: ipc "private" (Docker 20.10 and later) and cgroupns "host"
  // (cgroup v1). A private cgroupns is given even where it is the default (cgroup v2): never weaker elsewhere.
  flags.text('--ipc', host.IpcMode, 'private');
  flags.text('--pid', host.PidMode);
  flags.text('--uts', host.UTSMode);
  flags.text('--cgroupns', host.CgroupnsMode, 'host');
  flags.text('--cgroup-parent', host.CgroupParent);
  for (const device of host.Devices ?? []) {
    flags.push('--device', [device.PathOnHost, device.PathInContainer, device.CgroupPermissions].filter(Boolean).join(':'));
  }
  for (const request of host.DeviceRequests ?? []) {
    flags.push('--gpus', gpusFlag(request));
  }
  flags.repeat('--device-cgroup-rule', host.DeviceCgroupRules);
  flags.repeat('--dns', host.Dns);
  flags.repeat('--dns-search', host.DnsSearch);
  flags.repeat('--dns-option', host.DnsOptions);
  flags.repeat('--add-host', host.ExtraHosts);
  flags.repeat('--group-add', host.GroupAdd);
  if (host.Init) {
    flags.push('--init');
  }
  flags.text('--runtime', host.Runtime, 'runc');
  for (const ulimit of host.Ulimits ?? []) {
    flags.push('--ulimit', ulimit.Soft === ulimit.Hard ? `${ulimit.Name}=${ulimit.Soft}` : `${ulimit.Name}=${ulimit.Soft}:${ulimit.Hard}`);
  }
  for (const [key, value] of Object.entries(host.Sysctls ?? {})) {
    flags.push('--sysctl', `${key}=${value}`);
  }
  if (host.ShmSize && host.ShmSize !== defaultShmSize) {
    flags.push('--shm-size', `${host.ShmSize}b`);
  }
  flags.number('--oom-score-adj', host.OomScoreAdj);
  if (host.OomKillDisable) {
    flags.push('--oom-kill-disable');
  }
  const logOptions = Object.entries(host.LogConfig?.Config ?? {});
  if (host.LogConfig?.Type && (host.LogConfig.Type !== 'json-file' || logOptions.length > 0)) {
    flags.push('--log-driver', host.LogConfig.Type);
  }
  for (const [key, value] of logOptions) {
    flags.push('--log-opt', `${key}=${mask(key, value)}`);
  }
  for (const [key, value] of Object.entries(host.Annotations ?? {})) {
    flags.push('--annotation', `${key}=${value}`);
  }
  flags.push(...resourceFlags(host));
  return flags;
}

function resourceFlags(host: InspectView['HostConfig']): string[] {
  const flags = new FlagList();
  flags.bytes('--memory', host.Memory);
  flags.bytes('--memory-reservation', host.MemoryReservation);
  // The engine sets MemorySwap to twice Memory when only Memory was given.
  if (host.MemorySwap && host.MemorySwap !== 2 * (host.Memory ?? 0)) {
    flags.push('--memory-swap', host.MemorySwap < 0 ? '-1' : `${host.MemorySwap}b`);
  }
  if (typeof host.MemorySwappiness === 'number' && host.MemorySwappiness >= 0) {
    flags.push('--memory-swappiness', String(host.MemorySwappiness));
  }
  if (host.NanoCpus) {
    flags.push('--cpus', String(host.NanoCpus / 1e9));
  }
  flags.number('--cpu-shares', host.CpuShares);
  flags.number('--cpu-period', host.CpuPeriod);
  flags.number('--cpu-quota', host.CpuQuota);
  flags.number('--cpu-rt-period', host.CpuRealtimePeriod);
  flags.number('--cpu-rt-runtime', host.CpuRealtimeRuntime);
  if (host.CpusetCpus) {
    flags.push('--cpuset-cpus', host.CpusetCpus);
  }
  if (host.CpusetMems) {
    flags.push('--cpuset-mems', host.CpusetMems);
  }
  flags.number('--blkio-weight', host.BlkioWeight);
  for (const device of host.BlkioWeightDevice ?? []) {
    flags.push('--blkio-weight-device', `${device.Path}:${device.Weight}`);
  }
  const throttles: Array<[string, ThrottleDevice[] | null | undefined]> = [
    ['--device-read-bps', host.BlkioDeviceReadBps],
    ['--device-write-bps', host.BlkioDeviceWriteBps],
    ['--device-read-iops', host.BlkioDeviceReadIOps],
    ['--device-write-iops', host.BlkioDeviceWriteIOps],
  ];
  for (const [flag, devices] of throttles) {
    for (const device of devices ?? []) {
      flags.push(flag, `${device.Path}:${device.Rate}`);
    }
  }
  if (host.PidsLimit && host.PidsLimit > 0) {
    flags.push('--pids-limit', String(host.PidsLimit));
  }
  return flags;
}

/** `--network-alias`/`--ip`/… for `docker run`, or `--alias`/`--ip`/… for `docker network connect`. */
function endpointFlags(raw: InspectView, network: string, kind: 'run' | 'connect'): string[] {
  const endpoint = raw.NetworkSettings.Networks?.[network];
  if (!endpoint) {
    return [];
  }
  const flags: string[] = [];
  for (const alias of userAliases(endpoint.Aliases, raw.Id, raw.Config.Hostname)) {
    flags.push(kind === 'run' ? '--network-alias' : '--alias', alias);
  }
  const ipam = endpoint.IPAMConfig;
  if (ipam?.IPv4Address) {
    flags.push('--ip', ipam.IPv4Address);
  }
  if (ipam?.IPv6Address) {
    flags.push('--ip6', ipam.IPv6Address);
  }
  for (const address of ipam?.LinkLocalIPs ?? []) {
    flags.push('--link-local-ip', address);
  }
  if (kind === 'connect') {
    for (const [key, value] of Object.entries(endpoint.DriverOpts ?? {})) {
      flags.push('--driver-opt', `${key}=${value}`);
    }
  }
  return flags;
}

/**
 * HostConfig.Mounts with anonymous volumes given by their real source, plus the volumes the engine
 * made for image VOLUMEs and `-v /path` (not in HostConfig): as in a recreation, the copy uses the
 * same data instead of fresh, empty volumes.
 */
function mountsWithSources(raw: InspectView): MountSpec[] {
  const actual = raw.Mounts ?? [];
  const sourceAt = (target: string) => actual.find((mount) => mount.Type === 'volume' && mount.Destination === target)?.Name;
  const declared = (raw.HostConfig.Mounts ?? []).map((mount) => (mount.Type === 'volume' && !mount.Source ? { ...mount, Source: sourceAt(mount.Target) } : mount));
  const declaredTargets = new Set([...declared.map((mount) => mount.Target), ...(raw.HostConfig.Binds ?? []).map((bind) => bind.split(':')[1])]);
  const engineMade = actual
    .filter((mount) => mount.Type === 'volume' && mount.Name && !declaredTargets.has(mount.Destination))
    .map((mount): MountSpec => ({ Type: 'volume', Source: mount.Name, Target: mount.Destination, ReadOnly: !mount.RW }));
  return [...declared, ...engineMade];
}

function mountFlag(mount: MountSpec): string {
  const parts = [`type=${mount.Type}`];
  if (mount.Source) {
    parts.push(`src=${mount.Source}`);
  }
  parts.push(`dst=${mount.Target}`);
  if (mount.ReadOnly) {
    parts.push('readonly');
  }
  if (mount.Consistency && mount.Consistency !== 'default') {
    parts.push(`consistency=${mount.Consistency}`);
  }
  if (mount.BindOptions?.Propagation) {
    parts.push(`bind-propagation=${mount.BindOptions.Propagation}`);
  }
  if (mount.BindOptions?.NonRecursive) {
    parts.push('bind-nonrecursive=true');
  }
  if (mount.VolumeOptions?.NoCopy) {
    parts.push('volume-nocopy');
  }
  for (const [key, value] of Object.entries(mount.VolumeOptions?.Labels ?? {})) {
    parts.push(`volume-label=${key}=${value}`);
  }
  if (mount.VolumeOptions?.DriverConfig?.Name) {
    parts.push(`volume-driver=${mount.VolumeOptions.DriverConfig.Name}`);
  }
  for (const [key, value] of Object.entries(mount.VolumeOptions?.DriverConfig?.Options ?? {})) {
    parts.push(`volume-opt=${key}=${value}`);
  }
  if (mount.TmpfsOptions?.SizeBytes) {
    parts.push(`tmpfs-size=${mount.TmpfsOptions.SizeBytes}`);
  }
  if (mount.TmpfsOptions?.Mode) {
    parts.push(`tmpfs-mode=${mount.TmpfsOptions.Mode.toString(8).padStart(4, '0')}`);
  }
  return csv(parts);
}

/** --mount and --gpus take CSV: a field with a comma or quote is itself quoted. */
function csv(fields: string[]): string {
  return fields.map((field) => (/[",]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field)).join(',');
}

/** `--gpus` syntax: all, or count=N / device=IDs, with capabilities beyond plain "gpu". */
function gpusFlag(request: NonNullable<InspectView['HostConfig']['DeviceRequests']>[number]): string {
  const parts: string[] = [];
  if (request.DeviceIDs?.length) {
    parts.push(`device=${request.DeviceIDs.join(',')}`);
  } else if (request.Count === -1) {
    parts.push('all');
  } else if (request.Count) {
    parts.push(`count=${request.Count}`);
  }
  if (request.Driver && request.Driver !== 'nvidia') {
    parts.push(`driver=${request.Driver}`);
  }
  const capabilities = (request.Capabilities ?? []).flat().filter((capability) => capability !== 'gpu');
  if (capabilities.length > 0) {
    parts.push(`capabilities=${capabilities.join(',')}`);
  }
  return csv(parts);
}

/** `--entrypoint` (or `--entrypoint ""` when the image's was cleared), the image, then the arguments. */
function entrypointAndImage(raw: InspectView, image: ImageConfig): string[] {
  const config = raw.Config;
  const entrypoint = config.Entrypoint?.length ? config.Entrypoint : null;
  const entrypointChanged = JSON.stringify(entrypoint) !== JSON.stringify(image.entrypoint?.length ? image.entrypoint : null);
  const flags: string[] = [];
  if (entrypointChanged) {
    flags.push('--entrypoint', entrypoint?.[0] ?? '');
  }
  flags.push(config.Image);
  const entrypointArgs = entrypointChanged ? (entrypoint ?? []).slice(1) : [];
  const cmdChanged = JSON.stringify(config.Cmd ?? null) !== JSON.stringify(image.cmd);
  // A new entrypoint drops the image's CMD, so the container's CMD is given whenever either changed.
  flags.push(...entrypointArgs, ...(cmdChanged || entrypointChanged ? (config.Cmd ?? []) : []));
  return flags;
}

function labelFlags(labels: Record<string, string>): string[] {
  return Object.entries(labels).flatMap(([key, value]) => ['--label', `${key}=${value}`]);
}

/** Go's time.ParseDuration format, in the largest whole unit. */
function goDuration(nanoseconds: number): string {
  for (const [unit, size] of [
    ['h', 3600e9],
    ['m', 60e9],
    ['s', 1e9],
    ['ms', 1e6],
    ['us', 1e3],
  ] as const) {
    if (nanoseconds % size === 0) {
      return `${nanoseconds / size}${unit}`;
    }
  }
  return `${nanoseconds}ns`;
}

/** Flags in order, with the shapes most settings take; a setting at its zero or default value adds nothing. */
class FlagList extends Array<string> {
  repeat(flag: string, values: readonly string[] | null | undefined): void {
    for (const value of values ?? []) {
      this.push(flag, value);
    }
  }

  number(flag: string, value: number | null | undefined): void {
    if (value) {
      this.push(flag, String(value));
    }
  }

  bytes(flag: string, value: number | undefined): void {
    if (value) {
      this.push(flag, `${value}b`);
    }
  }

  text(flag: string, value: string | undefined, ...defaults: string[]): void {
    if (value && !defaults.includes(value)) {
      this.push(flag, value);
    }
  }
}
