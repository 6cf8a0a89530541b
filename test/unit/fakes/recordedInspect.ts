import type { ContainerDetails } from '../../../src/core/types';

/**
 * `GET /containers/{id}/json` of one container, as engines of several releases return it, written by
 * hand from the Engine API reference (docs.docker.com/reference/api/engine/version-history). The
 * container: `docker run --network appnet --ip 172.31.0.10 --mac-address 02:42:ac:1f:00:0a
 * --network-alias frontend --mount type=volume,dst=/cache -v /anon -p 10.0.0.1:8080:8080 -p 7070
 * --expose 9090 -P …`, then `docker network connect --alias second backnet` (with a driver option).
 *
 * What differs between the versions, and matters to recreation:
 * - 1.41 (Docker 20.10): Config.MacAddress holds the configured MAC; every endpoint's MacAddress is
 *   the address in use. Aliases on user networks start with the engine's short id. No DNSNames.
 * - 1.44 (Docker 25.0): DNSNames appears. Config.MacAddress is still shown (deprecated); an
 *   endpoint MAC the user did not set is generated from the IP (02:42 + the IPv4 bytes).
 * - 1.47 (Docker 27.x): Aliases are exactly what create was given (1.45); the short id is only in DNSNames.
 *   Here backnet was given its own MAC (possible at create since 1.44), which is not IP-derived.
 * - 1.48 (Docker 28.0): endpoints have GwPriority. (The "28 = 1.47" is 27.x; 28.0 speaks 1.48.)
 * - 1.52 (Docker 29.0): Config.MacAddress is gone; MACs are random, so the one in use is all there is.
 */
export const recordedVersions = ['1.41', '1.44', '1.47', '1.48', '1.52'] as const;
export type RecordedVersion = (typeof recordedVersions)[number];

export const shortId = '3f4e9a1b2c7d';
const id = `${shortId}${'5'.repeat(52)}`;
export const anonymousVolume = 'a'.repeat(64);
export const imageVolume = 'b'.repeat(64);

const atLeast = (version: RecordedVersion, minimum: RecordedVersion) => recordedVersions.indexOf(version) >= recordedVersions.indexOf(minimum);

export function recordedInspect(version: RecordedVersion): ContainerDetails {
  const appnet: Record<string, unknown> = {
    IPAMConfig: { IPv4Address: '172.31.0.10' },
    Links: null,
    Aliases: atLeast(version, '1.47') ? ['frontend'] : [shortId, 'frontend'],
    NetworkID: 'n1'.padEnd(64, '1'),
    EndpointID: 'e1'.padEnd(64, '1'),
    Gateway: '172.31.0.1',
    IPAddress: '172.31.0.10',
    IPPrefixLen: 24,
    IPv6Gateway: '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    MacAddress: version === '1.52' ? '9e:21:4c:07:aa:01' : '02:42:ac:1f:00:0a',
    DriverOpts: null,
  };
  const backnet: Record<string, unknown> = {
    IPAMConfig: null,
    Links: null,
    Aliases: atLeast(version, '1.47') ? ['second'] : [shortId, 'second'],
    NetworkID: 'n2'.padEnd(64, '2'),
    EndpointID: 'e2'.padEnd(64, '2'),
    Gateway: '172.30.0.1',
    IPAddress: '172.30.0.5',
    IPPrefixLen: 24,
    IPv6Gateway: '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    MacAddress: version === '1.52' ? '5a:0c:93:e2:10:7f' : atLeast(version, '1.47') ? '02:00:00:00:be:ef' : '02:42:ac:1e:00:05',
    DriverOpts: { 'com.docker.network.endpoint.sysctls': 'net.ipv4.conf.IFNAME.log_martians=1' },
  };
  if (atLeast(version, '1.44')) {
    appnet.DNSNames = ['full', shortId, 'frontend'];
    backnet.DNSNames = ['full', shortId, 'second'];
  }
  if (atLeast(version, '1.48')) {
    appnet.GwPriority = 0;
    backnet.GwPriority = 10;
  }
  const config: Record<string, unknown> = {
    Hostname: shortId,
    Domainname: '',
    User: '',
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    ExposedPorts: { '7070/tcp': {}, '8080/tcp': {}, '9090/tcp': {} },
    Tty: false,
    OpenStdin: false,
    StdinOnce: false,
    Env: ['APP_MODE=production', 'PATH=/usr/bin:/bin'],
    Cmd: ['serve'],
    Image: 'crosslink/fixture:latest',
    Volumes: { '/anon': {} },
    WorkingDir: '/srv',
    Entrypoint: ['/entry'],
    OnBuild: null,
    Labels: { team: 'payments' },
    StopSignal: 'SIGINT',
  };
  if (version !== '1.52') {
    config.MacAddress = '02:42:ac:1f:00:0a';
  }
  const raw = {
    Id: id,
    Created: '2026-11-30T10:00:00.000000000Z',
    Path: '/entry',
    Args: ['serve'],
    State: { Status: 'running', Running: true, Pid: 4242, ExitCode: 0 },
    Image: `sha256:${'c'.repeat(64)}`,
    Name: '/full',
    Platform: 'linux',
    Config: config,
    HostConfig: {
      Binds: null,
      NetworkMode: 'appnet',
      PortBindings: {
        '7070/tcp': [{ HostIp: '', HostPort: '' }],
        '8080/tcp': [{ HostIp: '10.0.0.1', HostPort: '8080' }],
      },
      RestartPolicy: { Name: 'unless-stopped', MaximumRetryCount: 0 },
      AutoRemove: false,
      PublishAllPorts: true,
      Dns: [],
      ExtraHosts: null,
      Links: null,
      Memory: 67108864,
      Mounts: [{ Type: 'volume', Target: '/cache' }],
    },
    NetworkSettings: {
      Ports: {
        '7070/tcp': [
          { HostIp: '0.0.0.0', HostPort: '32768' },
          { HostIp: '::', HostPort: '32768' },
        ],
        '8080/tcp': [{ HostIp: '10.0.0.1', HostPort: '8080' }],
        '9090/tcp': [
          { HostIp: '0.0.0.0', HostPort: '32769' },
          { HostIp: '::', HostPort: '32769' },
        ],
      },
      Networks: { appnet, backnet },
    },
    Mounts: [
      {
        Type: 'volume',
        Name: anonymousVolume,
        Source: `/var/lib/docker/volumes/${anonymousVolume}/_data`,
        Destination: '/cache',
        Driver: 'local',
        Mode: 'z',
        RW: true,
        Propagation: '',
      },
      { Type: 'volume', Name: imageVolume, Source: `/var/lib/docker/volumes/${imageVolume}/_data`, Destination: '/anon', Driver: 'local', Mode: '', RW: true, Propagation: '' },
    ],
  };
  return {
    id,
    name: 'full',
    image: 'crosslink/fixture:latest',
    state: 'running',
    status: 'running',
    createdAt: 0,
    labels: { team: 'payments' },
    networks: [],
    ports: [],
    links: [],
    hostname: shortId,
    raw: raw as unknown as Record<string, unknown>,
  };
}
