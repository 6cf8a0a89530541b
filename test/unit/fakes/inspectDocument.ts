import type { RecreateSubject } from '../../../src/core/planning/recreate';
import type { ContainerDetails } from '../../../src/core/types';

/** A `docker inspect` document shaped like the engine's, with what the planners read. */
export function inspectDocument(
  name: string,
  overrides: { config?: object; hostConfig?: object; networks?: object; mounts?: object[]; running?: boolean; id?: string } = {},
): ContainerDetails {
  const id =
    overrides.id ??
    `${name
      .padEnd(12, '0')
      .slice(0, 12)
      .replace(/[^0-9a-f]/g, 'a')}${'f'.repeat(52)}`;
  const networks = (overrides.networks ?? { bridge: { Aliases: null, Links: null, IPAMConfig: null, IPAddress: '172.17.0.2' } }) as Record<
    string,
    { Aliases?: string[] | null; IPAddress?: string }
  >;
  const raw = {
    Id: id,
    Name: `/${name}`,
    Image: 'sha256:image',
    State: { Running: overrides.running ?? true, Status: overrides.running === false ? 'exited' : 'running' },
    Config: { Hostname: id.slice(0, 12), Image: 'crosslink/fixture:latest', Env: ['PATH=/bin'], Cmd: ['sleep', '600'], Labels: {}, ...overrides.config },
    HostConfig: { NetworkMode: 'default', Links: null, Mounts: null, Binds: null, RestartPolicy: { Name: 'no' }, ...overrides.hostConfig },
    NetworkSettings: { Networks: networks },
    Mounts: overrides.mounts ?? [],
  };
  return {
    id,
    name,
    image: 'crosslink/fixture:latest',
    state: raw.State.Running ? 'running' : 'exited',
    status: '',
    createdAt: 0,
    labels: {},
    networks: Object.entries(networks).map(([network, settings]) => ({
      name: network,
      ipAddress: settings.IPAddress,
      aliases: (settings.Aliases ?? []).filter((alias) => alias !== id.slice(0, 12)),
    })),
    ports: [],
    links: ((raw.HostConfig as { Links?: string[] | null }).Links ?? []).map((link) => {
      const [target, clientAlias] = link.split(':');
      return `${target.slice(1)}:${clientAlias.split('/').pop()}`;
    }),
    hostname: raw.Config.Hostname,
    raw: raw as unknown as Record<string, unknown>,
  };
}

/** A recreation subject on a Docker 20.10 engine (API 1.41) with nothing written outside volumes, unless `overrides` says otherwise. */
export const subject = (details: ContainerDetails, linkedFrom: string[] = [], overrides: Partial<RecreateSubject> = {}): RecreateSubject => ({
  details,
  image: 'crosslink/fixture:latest',
  apiVersion: '1.41',
  linkedFrom,
  namespaceUsers: [],
  changes: [],
  ...overrides,
});
