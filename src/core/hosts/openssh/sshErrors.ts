import { HostError, type HostErrorReason } from '../../errors';

/**
 * ssh's stderr in the user's words: the existing HostError reasons with what to do, and ssh's own
 * lines kept (for a changed host key they are the explanation the user needs).
 */
export function translateSshFailure(hostName: string, where: string, stderr: string): HostError {
  const lines = stderr
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('debug'));
  const text = lines.join('\n');
  const last = lines.filter((line) => !/^@+$/.test(line) && !/^Warning: Permanently added/.test(line)).pop() ?? 'ssh exited without saying why';
  const problem = classify(text);
  const say = (message: string) => new HostError(hostName, problem.reason, `${hostName}: ${message}`);
  switch (problem.kind) {
    case 'changedKey':
      // ssh's own explanation: which key, which known_hosts line, the ssh-keygen -R to run.
      return say(`the SSH host key of ${where} CHANGED, so ssh refused to connect. This can mean someone is intercepting the connection. ssh says:\n${keyLines(lines)}`);
    case 'revokedKey':
      return say(`the SSH host key of ${where} is marked @revoked in known_hosts, so ssh refused it. Ask the server's administrator for its new key.`);
    case 'unknownKey':
      return say(
        `the SSH host key of ${where} is not in known_hosts and was not accepted (${last}). ` +
          `Connect again and choose "Trust and Connect" after checking the fingerprint, or run \`ssh ${where}\` once in a terminal.`,
      );
    case 'auth':
      return say(`SSH authentication at ${where} failed (${last}). Check the user, the key (identityFile, IdentityFile in ssh_config) and ssh-agent (ssh-add -l).`);
    case 'identityFile':
      return say(`SSH authentication at ${where} failed: ${problem.detail}. Fix the path or permissions of the key in the host's settings or ssh_config.`);
    case 'proxy':
      return say(`the ProxyCommand/ProxyJump for ${where} failed (${last}). Check ProxyCommand, ProxyJump and the jump host in ssh_config (ssh -G shows what ssh uses).`);
    case 'dockerMissing':
      return say(`${where} has no \`docker\` command for \`docker system dial-stdio\` (${last}). Install the Docker CLI there or allow stream-local forwarding in its sshd.`);
    case 'connect':
      return say(`${summaries[problem.reason]} ${where} (${last}). ${hints[problem.reason]}`);
  }
}

type Problem =
  | { kind: 'changedKey' | 'revokedKey' | 'unknownKey' | 'auth' | 'proxy' | 'dockerMissing'; reason: HostErrorReason }
  | { kind: 'identityFile'; reason: HostErrorReason; detail: string }
  | { kind: 'connect'; reason: HostErrorReason };

const summaries: Partial<Record<HostErrorReason, string>> = {
  refused: 'the SSH connection was refused by',
  timeout: 'no SSH answer in time from',
  unreachable: 'cannot reach',
  closed: 'the SSH connection was closed by',
  protocol: 'ssh could not set up the connection to',
};

const hints: Partial<Record<HostErrorReason, string>> = {
  refused: 'Is sshd running there, on the port ssh_config names?',
  timeout: 'Check that the host is up and that no firewall drops the connection.',
  unreachable: 'Check the host name and your network (VPN?).',
  closed: "Retry; if it keeps happening, check the server's sshd log (MaxStartups, AllowUsers).",
  protocol: 'Run the same ssh command in a terminal to see more (crosslink.ssh.verbose logs ssh -v).',
};

function classify(text: string): Problem {
  if (/REVOKED HOST KEY|host key .* revoked|marked as revoked/i.test(text)) {
    return { kind: 'revokedKey', reason: 'hostKey' };
  }
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key for .* has changed/i.test(text)) {
    return { kind: 'changedKey', reason: 'hostKey' };
  }
  if (/Host key verification failed|No \S+ host key is known for|authenticity of host/i.test(text)) {
    return { kind: 'unknownKey', reason: 'hostKey' };
  }
  const identity = /Identity file (.+) not accessible: (.+?)\.?$/m.exec(text) ?? /Load key "(.+)": (.+)$/m.exec(text);
  if (/Permission denied \(|Too many authentication failures|no more authentication methods/i.test(text)) {
    return identity && !/incorrect passphrase/i.test(identity[2])
      ? { kind: 'identityFile', reason: 'credentials', detail: `cannot read ${identity[1]} (${identity[2]})` }
      : { kind: 'auth', reason: 'auth' };
  }
  if (/docker: (command )?not found|docker: No such file|exec: "?docker"?: executable file not found/i.test(text)) {
    return { kind: 'dockerMissing', reason: 'protocol' };
  }
  // A failed ProxyCommand/ProxyJump shows as a closed identification exchange on a pseudo-port.
  if (/UNKNOWN port 65535|ProxyCommand|proxy dialer|stdio forwarding failed|channel \d+: open failed/i.test(text)) {
    return { kind: 'proxy', reason: 'unreachable' };
  }
  const connect: Array<[RegExp, HostErrorReason]> = [
    [/Connection refused/i, 'refused'],
    [/timed out|Connection timeout/i, 'timeout'],
    [/No route to host|Network is unreachable|Could not resolve hostname|Name or service not known|nodename nor servname/i, 'unreachable'],
    [/Connection closed by|Connection reset|kex_exchange_identification|Broken pipe/i, 'closed'],
  ];
  const match = connect.find(([pattern]) => pattern.test(text));
  return { kind: 'connect', reason: match?.[1] ?? 'protocol' };
}

/** The lines of ssh's changed-key warning that say what happened and what to run, without its @ banners. */
function keyLines(lines: string[]): string {
  return lines.filter((line) => !/^@+/.test(line)).join('\n');
}
