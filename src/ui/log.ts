import type * as vscode from 'vscode';
import type { Logger } from '../core/like';

/** Removes credentials that could slip into messages (user:password@ in URLs, key material). */
export function redact(message: string): string {
  return message.replace(/(\w+:\/\/[^/\s:@]+):[^@\s/]+@/g, '$1:***@').replace(/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, '[private key]');
}

/** The core's Logger on top of the extension's one LogOutputChannel. */
export function channelLogger(channel: vscode.LogOutputChannel): Logger {
  const text = (message: string | Error) => redact(message instanceof Error ? (message.stack ?? message.message) : message);
  return {
    trace: (message, ...args) => channel.trace(text(message), ...args),
    debug: (message, ...args) => channel.debug(text(message), ...args),
    info: (message, ...args) => channel.info(text(message), ...args),
    warn: (message, ...args) => channel.warn(text(message), ...args),
    error: (message, ...args) => channel.error(text(message), ...args),
  };
}
