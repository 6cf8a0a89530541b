import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DisposableLike, Logger } from '../../like';

/** How ssh's questions reach the user: VS Code's input box and modal in the extension, a script in tests. */
export interface SshPrompter {
  /** A passphrase or password; undefined when the user cancelled. Never logged. */
  secret(request: { host: string; message: string }): Promise<string | undefined>;
  /** ssh met a host key that no known_hosts file lists: true trusts it (ssh then writes it as it always does). */
  trustHostKey(request: { host: string; message: string; fingerprint?: string }): Promise<boolean>;
}

/** The environment that makes one ssh process ask through Crosslink. */
export interface AskpassSession extends DisposableLike {
  env: Record<string, string>;
}

/**
 * The channel between ssh's SSH_ASKPASS helper and the extension: a Unix socket in a private (0700)
 * directory, and a random token per ssh process that also says which host asks. Each window runs its
 * own server, so several windows never see each other's prompts.
 */
export class AskpassServer implements DisposableLike {
  readonly dir: string;
  private readonly server: net.Server;
  private readonly sessions = new Map<string, string>();
  /** Questions the user declined, by host and text: the automatic reconnects do not ask them again. */
  private readonly declined = new Map<string, number>();
  private readonly listening: Promise<void>;

  constructor(
    private readonly prompter: SshPrompter,
    private readonly logger: Logger,
    options: { runtimeDir?: string; nodeBinary?: string } = {},
  ) {
    this.dir = fs.mkdtempSync(path.join(options.runtimeDir ?? os.tmpdir(), 'crosslink-askpass-'));
    const helper = path.join(this.dir, 'askpass.js');
    fs.writeFileSync(helper, helperSource, { mode: 0o600 });
    // ssh runs SSH_ASKPASS as one executable: a shell script runs the helper with the extension host's own Node.
    fs.writeFileSync(path.join(this.dir, 'askpass.sh'), `#!/bin/sh\nELECTRON_RUN_AS_NODE=1 exec ${shQuote(options.nodeBinary ?? process.execPath)} ${shQuote(helper)} "$@"\n`, {
      mode: 0o700,
    });
    this.server = net.createServer({ allowHalfOpen: true }, (socket) => this.answer(socket));
    this.listening = new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.socketPath, () => resolve());
    });
  }

  private get socketPath(): string {
    return path.join(this.dir, 'askpass.sock');
  }

  /** Resolves once the helper can connect. */
  ready(): Promise<void> {
    return this.listening;
  }

  session(hostName: string): AskpassSession {
    const token = randomBytes(24).toString('hex');
    this.sessions.set(token, hostName);
    return {
      env: {
        SSH_ASKPASS: path.join(this.dir, 'askpass.sh'),
        // OpenSSH ≥ 8.4 uses the helper even with a terminal; older ones need DISPLAY set.
        SSH_ASKPASS_REQUIRE: 'force',
        DISPLAY: process.env.DISPLAY || 'crosslink:0',
        CROSSLINK_ASKPASS_SOCKET: this.socketPath,
        CROSSLINK_ASKPASS_TOKEN: token,
      },
      dispose: () => this.sessions.delete(token),
    };
  }

  /** An explicit retry (the user's own) asks again what was declined before. */
  forgetDeclines(hostName: string): void {
    for (const key of [...this.declined.keys()]) {
      if (key.startsWith(`${hostName}\n`)) {
        this.declined.delete(key);
      }
    }
  }

  dispose(): void {
    this.sessions.clear();
    this.server.close();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private answer(socket: net.Socket): void {
    let request = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (request += chunk));
    socket.on('error', () => socket.destroy());
    socket.on('end', () => {
      void this.reply(request).then(
        (answer) => socket.end(JSON.stringify(answer === undefined ? {} : { answer })),
        (error: unknown) => {
          this.logger.warn(`[ssh] a prompt failed: ${String(error)}`);
          socket.end('{}');
        },
      );
    });
  }

  private async reply(text: string): Promise<string | undefined> {
    let request: { token?: unknown; prompt?: unknown; kind?: unknown };
    try {
      request = JSON.parse(text) as typeof request;
    } catch {
      return undefined;
    }
    const host = typeof request.token === 'string' ? this.sessions.get(request.token) : undefined;
    if (!host || typeof request.prompt !== 'string') {
      this.logger.warn('[ssh] an askpass request without a valid token was refused');
      return undefined;
    }
    const prompt = request.prompt.trim();
    const question = classifyPrompt(prompt, typeof request.kind === 'string' ? request.kind : '');
    const declineKey = `${host}\n${prompt}`;
    if (question.kind !== 'notice' && Date.now() - (this.declined.get(declineKey) ?? 0) < declineMemoryMs) {
      this.logger.info(`[ssh ${host}] not asking again what was declined (${question.kind}); Retry Connection asks again`);
      return question.kind === 'hostKey' ? 'no' : undefined;
    }
    // The prompt's text names a key file or a host, never a secret; the answer is not logged.
    this.logger.info(`[ssh ${host}] ssh asks: ${question.kind}`);
    const declined = <T>(answer: T, isDecline: boolean): T => {
      if (isDecline) {
        this.declined.set(declineKey, Date.now());
      }
      return answer;
    };
    switch (question.kind) {
      case 'hostKey': {
        const trusted = await this.prompter.trustHostKey({ host, message: prompt, fingerprint: question.fingerprint });
        return declined(trusted ? 'yes' : 'no', !trusted);
      }
      case 'notice':
        // SSH_ASKPASS_PROMPT=none: "confirm user presence" for a FIDO key; shown in the log, nothing to answer.
        this.logger.info(`[ssh ${host}] ${prompt}`);
        return '';
      case 'secret': {
        const secret = await this.prompter.secret({ host, message: prompt });
        return declined(secret, secret === undefined);
      }
    }
  }
}

/** How long a declined question stays declined for the automatic reconnects (they retry every few seconds). */
const declineMemoryMs = 10 * 60_000;

export type PromptKind = { kind: 'hostKey'; fingerprint?: string } | { kind: 'notice' } | { kind: 'secret' };

/** ssh asks three kinds of things through SSH_ASKPASS; the host key question is only recognisable by its text. */
export function classifyPrompt(prompt: string, askpassPrompt: string): PromptKind {
  if (/authenticity of host .* can't be established|continue connecting \(yes\/no/i.test(prompt)) {
    return { kind: 'hostKey', fingerprint: /(SHA256:[A-Za-z0-9+/=]+)/.exec(prompt)?.[1] };
  }
  if (askpassPrompt === 'none') {
    return { kind: 'notice' };
  }
  return { kind: 'secret' };
}

function shQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * The helper ssh runs: sends the prompt and the session's token to the extension, prints the answer.
 * Plain JavaScript written into the private directory at run time, so it needs no packaging.
 */
const helperSource = `'use strict';
const net = require('net');
const socket = net.connect({ path: process.env.CROSSLINK_ASKPASS_SOCKET, allowHalfOpen: true });
let reply = '';
socket.setEncoding('utf8');
socket.on('connect', () => socket.end(JSON.stringify({ token: process.env.CROSSLINK_ASKPASS_TOKEN, prompt: process.argv[2] || '', kind: process.env.SSH_ASKPASS_PROMPT || '' })));
socket.on('data', (chunk) => (reply += chunk));
socket.on('error', () => process.exit(1));
socket.on('end', () => {
  let answer;
  try { answer = JSON.parse(reply).answer; } catch (error) { answer = undefined; }
  if (typeof answer !== 'string') process.exit(1);
  process.stdout.write(answer + '\\n', () => process.exit(0));
});
`;
