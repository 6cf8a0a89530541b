import { ContainerDetails, ImageConfig, NetworkSummary, VolumeSummary } from '../types';
import { isDefaultHostname, userAliases } from '../model/aliases';
import { isManaged } from './labels';

interface InspectView {
  Id: string;
  Config: {
    Hostname?: string;
    User?: string;
    WorkingDir?: string;
    Env?: string[] | null;
    Cmd?: string[] | null;
    Entrypoint?: string[] | null;
    Labels?: Record<string, string> | null;
    ExposedPorts?: Record<string, object> | null;
    Image: string;
  };
  HostConfig: {
    NetworkMode?: string;
    Links?: string[] | null;
    PortBindings?: Record<string, Array<{ HostIp?: string; HostPort?: string }> | null> | null;
    Binds?: string[] | null;
    Mounts?: Array<{ Type: string; Source?: string; Target: string; ReadOnly?: boolean }> | null;
    RestartPolicy?: { Name?: string; MaximumRetryCount?: number };
    Memory?: number;
    NanoCpus?: number;
    CpuShares?: number;
    CapAdd?: string[] | null;
    ExtraHosts?: string[] | null;
    Privileged?: boolean;
    LogConfig?: { Type?: string; Config?: Record<string, string> };
  };
  NetworkSettings: { Networks?: Record<string, { Aliases?: string[] | null }> };
}

/**
 * `docker network create`, `docker volume create`, `docker run` and `docker network connect`
 * lines that reproduce a container and the Crosslink-made objects it uses.
 */
export function dockerCommandsFor(
  details: ContainerDetails,
  image: ImageConfig,
  context: { networks: NetworkSummary[]; volumes: VolumeSummary[] },
): string[] {
  const raw = details.raw as unknown as InspectView;
  const config = raw.Config;
  const host = raw.HostConfig;
  const lines: string[] = [];
  const networkNames = Object.keys(raw.NetworkSettings.Networks ?? {});
  for (const network of context.networks.filter((candidate) => networkNames.includes(candidate.name) && isManaged(candidate.labels))) {
    lines.push(command('docker', 'network', 'create', network.name));
  }
  const mountedVolumes = new Set((host.Mounts ?? []).filter((mount) => mount.Type === 'volume').map((mount) => mount.Source));
  for (const volume of context.volumes.filter((candidate) => mountedVolumes.has(candidate.name) && isManaged(candidate.labels))) {
    lines.push(command('docker', 'volume', 'create', volume.name));
  }

  const run: string[] = ['docker', 'run', '-d', '--name', details.name];
  if (config.Hostname && !isDefaultHostname(config.Hostname)) {
    run.push('--hostname', config.Hostname);
  }
  if (config.User && config.User !== image.user) {
    run.push('--user', config.User);
  }
  if (config.WorkingDir && config.WorkingDir !== image.workingDir) {
    run.push('--workdir', config.WorkingDir);
  }
  for (const variable of (config.Env ?? []).filter((entry) => !image.env.includes(entry))) {
    run.push('-e', variable);
  }
  for (const [key, value] of Object.entries(config.Labels ?? {}).filter(([key, value]) => image.labels[key] !== value)) {
    run.push('--label', `${key}=${value}`);
  }
  for (const port of Object.keys(config.ExposedPorts ?? {}).filter((port) => !image.exposedPorts.includes(port))) {
    if (!host.PortBindings?.[port]) {
      run.push('--expose', port.replace(/\/tcp$/, ''));
    }
  }
  for (const [port, bindings] of Object.entries(host.PortBindings ?? {})) {
    for (const binding of bindings ?? []) {
      const hostSide = [binding.HostIp, binding.HostPort || ''].filter((part) => part !== undefined && part !== '').join(':');
      run.push('-p', `${hostSide ? `${hostSide}:` : ''}${port.replace(/\/tcp$/, '')}`);
    }
  }
  for (const bind of host.Binds ?? []) {
    run.push('-v', bind);
  }
  for (const mount of host.Mounts ?? []) {
    run.push('--mount', [`type=${mount.Type}`, mount.Source ? `src=${mount.Source}` : undefined, `dst=${mount.Target}`, mount.ReadOnly ? 'readonly' : undefined].filter(Boolean).join(','));
  }
  const networkMode = host.NetworkMode ?? 'default';
  const primary = networkMode === 'default' ? 'bridge' : networkMode;
  if (networkMode !== 'default' && networkMode !== 'bridge') {
    run.push('--network', networkMode);
  }
  for (const alias of aliasesOn(raw, primary)) {
    run.push('--network-alias', alias);
  }
  for (const link of host.Links ?? []) {
    const [target, clientAlias] = link.split(':');
    run.push('--link', `${target.replace(/^\//, '')}:${clientAlias.split('/').pop()}`);
  }
  if (host.RestartPolicy?.Name && host.RestartPolicy.Name !== 'no') {
    run.push('--restart', host.RestartPolicy.Name === 'on-failure' && host.RestartPolicy.MaximumRetryCount ? `on-failure:${host.RestartPolicy.MaximumRetryCount}` : host.RestartPolicy.Name);
  }
  if (host.Memory) {
    run.push('--memory', `${host.Memory}b`);
  }
  if (host.NanoCpus) {
    run.push('--cpus', String(host.NanoCpus / 1e9));
  }
  if (host.CpuShares) {
    run.push('--cpu-shares', String(host.CpuShares));
  }
  for (const capability of host.CapAdd ?? []) {
    run.push('--cap-add', capability);
  }
  for (const extraHost of host.ExtraHosts ?? []) {
    run.push('--add-host', extraHost);
  }
  if (host.Privileged) {
    run.push('--privileged');
  }
  for (const [key, value] of Object.entries(host.LogConfig?.Config ?? {})) {
    run.push('--log-opt', `${key}=${value}`);
  }
  const entrypointChanged = JSON.stringify(config.Entrypoint ?? null) !== JSON.stringify(image.entrypoint);
  if (entrypointChanged && config.Entrypoint?.length) {
    run.push('--entrypoint', config.Entrypoint[0]);
  }
  run.push(config.Image);
  const entrypointArgs = entrypointChanged ? (config.Entrypoint ?? []).slice(1) : [];
  const cmdChanged = JSON.stringify(config.Cmd ?? null) !== JSON.stringify(image.cmd);
  run.push(...entrypointArgs, ...(cmdChanged || entrypointChanged ? (config.Cmd ?? []) : []));
  lines.push(command(...run));

  for (const network of networkNames.filter((name) => name !== primary)) {
    const aliases = aliasesOn(raw, network).flatMap((alias) => ['--alias', alias]);
    lines.push(command('docker', 'network', 'connect', ...aliases, network, details.name));
  }
  return lines;
}

function aliasesOn(raw: InspectView, network: string): string[] {
  return userAliases(raw.NetworkSettings.Networks?.[network]?.Aliases, raw.Id, raw.Config.Hostname);
}

/** Quotes for POSIX shells only where needed, so simple commands stay readable. */
export function shellQuote(argument: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(argument) ? argument : `'${argument.replace(/'/g, `'\\''`)}'`;
}

function command(...args: string[]): string {
  return args.map(shellQuote).join(' ');
}
