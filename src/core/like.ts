/**
 * The few VS Code shapes the core needs, so it runs in plain Node. `src/ui` checks them
 * against the real API with `satisfies`.
 */
export interface DisposableLike {
  dispose(): void;
}

export type Listener<T> = (value: T) => void;
export type EventLike<T> = (listener: Listener<T>) => DisposableLike;

/** A minimal event emitter with the same calling convention as vscode.EventEmitter. */
export class Emitter<T> implements DisposableLike {
  private readonly listeners = new Set<Listener<T>>();

  readonly event: EventLike<T> = (listener) => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  fire(value: T): void {
    for (const listener of [...this.listeners]) {
      listener(value);
    }
  }

  dispose(): void {
    this.listeners.clear();
  }
}

/** Structured logger; the UI backs it with one LogOutputChannel. Messages must not hold secrets. */
export interface Logger {
  trace(message: string, ...args: unknown[]): void;
  debug(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string | Error, ...args: unknown[]): void;
}

export const silentLogger: Logger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
