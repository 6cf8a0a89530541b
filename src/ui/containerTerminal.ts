import type { Readable, Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import * as vscode from 'vscode';
import type { OutputChunk } from '../core/hosts/dockerStream';
import type { TerminalSize } from '../core/hosts/dockerClient';
import { errorMessage } from '../core/errors';
import type { Logger } from '../core/like';

/** What a container terminal shows: a log stream or an interactive exec. */
export interface TerminalSession {
  /** OutputChunk objects. */
  output: Readable;
  /** Absent for logs: keystrokes are ignored. */
  input?: Writable;
  resize?(size: TerminalSize): Promise<void>;
  exitCode?(): Promise<number | undefined>;
  dispose(): void;
}

/** The most recent output of each open container terminal, for tests (VS Code does not let an extension read a terminal). */
const transcripts = new Map<string, string>();
const transcriptLimit = 64 * 1024;

export function terminalTranscript(name: string): string | undefined {
  return transcripts.get(name);
}

/**
 * A VS Code terminal backed by a container's stream. The session starts when VS Code opens the
 * terminal and is disposed when the user closes it, which ends the Docker stream (and a shell's exec).
 * `tty`: the stream is a terminal's (raw bytes, the process ends the terminal); otherwise it is
 * plain text (newlines become CRLF, stderr in red) and the terminal stays open after the stream ends.
 */
export class ContainerTerminal implements vscode.Pseudoterminal {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<number | void>();
  readonly onDidWrite = this.writeEmitter.event;
  readonly onDidClose = this.closeEmitter.event;
  /** Settles once the session started (or failed to), so a scripted caller can type into it. */
  readonly ready: Promise<void>;
  private settleReady!: (error?: unknown) => void;
  private session?: TerminalSession;
  private closed = false;
  private readonly decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };

  constructor(
    readonly name: string,
    private readonly start: () => Promise<TerminalSession>,
    private readonly options: { tty: boolean; endedMessage: string; logger: Logger },
  ) {
    this.ready = new Promise<void>((resolve, reject) => {
      this.settleReady = (error) => (error === undefined ? resolve() : reject(error));
    });
    transcripts.set(name, '');
  }

  open(dimensions: vscode.TerminalDimensions | undefined): void {
    this.start().then(
      (session) => this.attach(session, dimensions),
      (error: unknown) => {
        this.write(`\x1b[31m${errorMessage(error)}\x1b[0m\r\n`);
        this.settleReady(error);
      },
    );
  }

  handleInput(data: string): void {
    this.session?.input?.write(data);
  }

  setDimensions(dimensions: vscode.TerminalDimensions): void {
    this.resize(dimensions);
  }

  close(): void {
    this.closed = true;
    this.session?.dispose();
    transcripts.delete(this.name);
    this.writeEmitter.dispose();
    this.closeEmitter.dispose();
  }

  private attach(session: TerminalSession, dimensions: vscode.TerminalDimensions | undefined): void {
    if (this.closed) {
      session.dispose();
      return;
    }
    this.session = session;
    session.output.on('data', (chunk: OutputChunk) => this.show(chunk));
    session.output.on('error', (error: Error) => this.write(`\r\n\x1b[31m${error.message}\x1b[0m\r\n`));
    session.output.once('close', () => void this.ended());
    if (dimensions) {
      this.resize(dimensions);
    }
    this.settleReady();
  }

  private resize(dimensions: vscode.TerminalDimensions): void {
    this.session
      ?.resize?.({ columns: dimensions.columns, rows: dimensions.rows })
      .catch((error: unknown) => this.options.logger.debug(`${this.name}: resize failed: ${errorMessage(error)}`));
  }

  private show(chunk: OutputChunk): void {
    const text = this.decoders[chunk.stream].write(chunk.data);
    if (this.options.tty) {
      this.write(text);
      return;
    }
    const lines = text.replace(/\r?\n/g, '\r\n');
    this.write(chunk.stream === 'stderr' ? `\x1b[31m${lines}\x1b[0m` : lines);
  }

  private async ended(): Promise<void> {
    if (this.closed) {
      return;
    }
    if (this.options.tty) {
      // Like a local shell: the terminal goes away with the process.
      const code = await this.session?.exitCode?.();
      this.options.logger.info(`${this.name} ended${code !== undefined ? ` (exit code ${code})` : ''}`);
      this.closeEmitter.fire(code ?? 0);
      return;
    }
    this.write(`\r\n\x1b[2m— ${this.options.endedMessage} —\x1b[0m\r\n`);
  }

  private write(text: string): void {
    if (this.closed) {
      return;
    }
    const transcript = (transcripts.get(this.name) ?? '') + text;
    transcripts.set(this.name, transcript.length > transcriptLimit ? transcript.slice(-transcriptLimit) : transcript);
    this.writeEmitter.fire(text);
  }
}

/** Opens a terminal for `pty` under a name no other open terminal has, and shows it. */
export function showContainerTerminal(baseName: string, create: (name: string) => ContainerTerminal): { terminal: vscode.Terminal; pty: ContainerTerminal } {
  const taken = new Set(vscode.window.terminals.map((terminal) => terminal.name));
  let name = baseName;
  for (let index = 2; taken.has(name) || transcripts.has(name); index++) {
    name = `${baseName} (${index})`;
  }
  const pty = create(name);
  const terminal = vscode.window.createTerminal({ name, pty, iconPath: new vscode.ThemeIcon('terminal') });
  terminal.show();
  return { terminal, pty };
}
