import * as os from 'node:os';
import * as vscode from 'vscode';
import type { DisposableLike, Logger } from '../core/like';
import { AskpassServer, type SshPrompter } from '../core/hosts/openssh/askpass';
import { type OpenSshOptions, defaultOpenSshOptions } from '../core/hosts/openssh/openSshConnection';
import { type SshClientSetting, chooseSshClient, findSshBinary, sweepLeftoverMasters } from '../core/hosts/openssh/sshClientChoice';
import { settingsSection } from './hostSettings';

/** ssh's questions in the window: a password box for secrets, a modal with the fingerprint for a new host key. */
export const vscodeSshPrompter: SshPrompter = {
  secret: ({ host, message }) =>
    Promise.resolve(vscode.window.showInputBox({ title: `SSH: ${host}`, prompt: message, password: true, ignoreFocusOut: true })),
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
 * the one askpass server of this window. Leftover masters of a crashed window are ended on activation.
 */
export class SshClientSettings implements DisposableLike {
  private askpass?: AskpassServer;
  private readonly sshBinary = findSshBinary();

  constructor(private readonly logger: Logger) {
    if (this.sshBinary) {
      sweepLeftoverMasters(os.tmpdir(), this.sshBinary, logger);
    }
  }

  /** Options for OpenSSH, or undefined for the built-in client; read when a host is set up. */
  openSshOptions(): OpenSshOptions | undefined {
    const configuration = vscode.workspace.getConfiguration(settingsSection);
    const choice = chooseSshClient(configuration.get<SshClientSetting>('ssh.client') ?? 'auto', this.sshBinary, this.logger);
    if (choice.client === 'builtin') {
      return undefined;
    }
    this.askpass ??= new AskpassServer(vscodeSshPrompter, this.logger);
    const defaults = defaultOpenSshOptions(choice.sshBinary);
    return {
      ...defaults,
      configFile: configuration.get<string>('ssh.configFile') || defaults.configFile,
      verbose: configuration.get<boolean>('ssh.verbose') ?? false,
      askpass: this.askpass,
    };
  }

  dispose(): void {
    this.askpass?.dispose();
  }
}
