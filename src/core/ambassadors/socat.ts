/**
 * socat as an ambassador: `-t 3600` keeps a half-closed connection open for an hour so a late
 * reply still passes (the default 0.5 s loses it); `-b 262144` moves 256 KiB per step; a large
 * backlog and child limit absorb bursts; keepalive and nodelay on both legs.
 */
export function socatArguments(listenPort: number, upstreamHost: string, upstreamPort: number): string[] {
  return [
    '-t',
    '3600',
    '-b',
    '262144',
    `TCP-LISTEN:${listenPort},fork,reuseaddr,backlog=512,max-children=4096,keepalive,nodelay`,
    `TCP:${upstreamHost}:${upstreamPort},keepalive,nodelay`,
  ];
}
