import * as os from 'node:os';
import * as vscode from 'vscode';
import type { DisposableLike, Logger } from '../core/like';
import { AskpassServer, type SshPrompter } from '../core/hosts/openssh/askpass';
import { type OpenSshOptions, defaultOpenSshOptions, promptsThroughAskpass } from '../core/hosts/openssh/openSshConnection';
import { type SshClientSetting, chooseSshClient, findSshBinary, sweepLeftoverMasters } from '../core/hosts/openssh/sshClientChoice';
import { crosslinkSetting } from './hostSettings';

/** ssh's questions in the window: a password box for secrets, a modal with the fingerprint for a new host key. */
export const vscodeSshPrompter: SshPrompter = {
  secret: ({ host, message }) => Promise.resolve(vscode.window.showInputBox({ title: `SSH: ${host}`, prompt: message, password: true, ignoreFocusOut: true })),
  trustHostKey: async ({ host, message, fingerprint }) => {
    const trust = 'Trust and Connect';
    const choice = await vscode.window.showWarningMessage(
      `${host}: the SSH host key${fingerprint ? ` ${fingerprint}` : ''} is not known yet`,
      {
        modal: true,
        detail: `${message.replace(/\s*Are you sure you want to continue connecting.*$/s, '')}\n\nCheck the fingerprint with the server's administrator. Trusting it writes the key to known_hosts as ssh does.`,
      },
      trust,
    );
    return choice === trust;
  },
};

/**
 * `crosslink.ssh.*`: which client ssh:// hosts use, and for OpenSSH its config file, log level and
 * the one askpass server of this window. Nothing runs at activation: the ssh binary is looked up,
 * and masters a crashed window left are ended, when the first ssh:// host is set up.
 */
export class SshClientSettings implements DisposableLike {
  private askpass?: AskpassServer;
  private sshBinary?: { path: string | undefined };

  constructor(private readonly logger: Logger) {}

  /** Options for OpenSSH, or undefined for the built-in client; read when a host is set up. */
  openSshOptions(): OpenSshOptions | undefined {
    const choice = chooseSshClient(crosslinkSetting<SshClientSetting>('ssh.client') ?? 'auto', this.findBinary(), this.logger);
    if (choice.client === 'builtin') {
      return undefined;
    }
    const defaults = defaultOpenSshOptions(choice.sshBinary, crosslinkSetting<string>('ssh.configFile') || undefined);
    // Windows: no askpass (its helper channel is a Unix socket here); ssh runs with BatchMode there.
    if (promptsThroughAskpass(defaults.platform)) {
      this.askpass ??= new AskpassServer(vscodeSshPrompter, this.logger);
    }
    return {
      ...defaults,
      verbose: crosslinkSetting<boolean>('ssh.verbose') ?? false,
      askpass: this.askpass,
    };
  }

  /** The user's own Retry: questions declined earlier (a passphrase, a host key) are asked again. */
  forgetDeclines(hostName: string): void {
    this.askpass?.forgetDeclines(hostName);
  }

  dispose(): void {
    this.askpass?.dispose();
  }

  private findBinary(): string | undefined {
    if (!this.sshBinary) {
      this.sshBinary = { path: findSshBinary() };
      if (this.sshBinary.path) {
        sweepLeftoverMasters(os.tmpdir(), this.sshBinary.path, this.logger);
      }
    }
    return this.sshBinary.path;
  }
}
