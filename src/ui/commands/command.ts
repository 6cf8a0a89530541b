import { CrosslinkError } from '../../core/errors';
import type { ExecuteOptions } from '../../core/planning/planExecutor';
import { aliasProblem, portProblem } from '../../core/links/names';
import type { Prompter, RunProgress } from '../prompter';
import type { TreeNode } from '../tree/treeNodes';
import type { CommandContext } from './commandContext';

/**
 * One command: `parse` turns a scripted caller's arguments into a request (or throws
 * ArgumentError), `prompt` asks a user for one (a tree node the command was invoked on fills what
 * it can), and `run` carries it out without asking anything. Registration picks parse or prompt
 * (registerCommands.ts), so there is one place that decides what is scripted.
 */
export interface Command<Request, Result> {
  readonly id: string;
  parse(args: unknown): Request;
  prompt(ui: Prompter, context: CommandContext, node?: TreeNode): Promise<Request | undefined>;
  run(context: CommandContext, request: Request, progress: RunProgress): Promise<Result>;
  /** Interactive calls run under a cancellable progress notification with this title. */
  progressTitle?(request: Request): string;
  /**
   * Interactive calls only: a failure the user can answer (files would be lost, objects are not
   * ours, a port is taken). Returns the request to run again, undefined to stop quietly, or
   * `'rethrow'` when this failure is not one it can answer.
   */
  answer?(ui: Prompter, error: unknown, request: Request, context: CommandContext): Promise<Request | undefined | 'rethrow'>;
  /** Interactive calls only: tells the user what happened (scripted callers get the result). */
  report?(ui: Prompter, result: Result, request: Request, context: CommandContext): void;
  /** What callers of executeCommand get, when `run` returns more than that (e.g. a message for `report`). */
  toResult?(result: Result): unknown;
}

export type AnyCommand = Command<any, unknown>;

export type ArgumentProblem =
  | 'missing' // a required field is absent
  | 'wrongType' // present, but not the type the field takes
  | 'invalidValue' // the right type, but not a valid value (a port out of range, a malformed reference)
  | 'conflict'; // two fields that cannot be given together

/** A scripted call's arguments are not what the command takes; nothing was changed. */
export class ArgumentError extends CrosslinkError<ArgumentProblem> {
  constructor(
    readonly command: string,
    /** The argument at fault: a field name, or "arguments" for the whole value. */
    readonly field: string,
    reason: ArgumentProblem,
    problem: string,
  ) {
    super(reason, `${command}: "${field}" ${problem}`);
  }

  static is(error: unknown, reason?: ArgumentProblem): error is ArgumentError {
    return error instanceof ArgumentError && (reason === undefined || error.reason === reason);
  }
}

/** Reads fields of a scripted argument object, throwing ArgumentError naming the field. */
export class Fields {
  private readonly raw: Record<string, unknown>;

  constructor(
    private readonly command: string,
    args: unknown,
    /** Shape shown when the arguments are not an object at all. */
    usage: string,
  ) {
    if (typeof args !== 'object' || args === null || Array.isArray(args)) {
      throw new ArgumentError(command, 'arguments', 'wrongType', `must be an object: ${usage}.`);
    }
    this.raw = args as Record<string, unknown>;
  }

  fail(field: string, reason: ArgumentProblem, problem: string): never {
    throw new ArgumentError(this.command, field, reason, problem);
  }

  has(field: string): boolean {
    return this.raw[field] !== undefined;
  }

  string(field: string): string;
  string(field: string, optional: 'optional'): string | undefined;
  string(field: string, optional?: 'optional'): string | undefined {
    const value = this.raw[field];
    if (value === undefined && optional) {
      return undefined;
    }
    if (value === undefined) {
      this.fail(field, 'missing', 'is required.');
    }
    if (typeof value !== 'string') {
      this.fail(field, 'wrongType', `must be a string, not ${JSON.stringify(value)}.`);
    }
    return value;
  }

  /** A "host/name" container reference. */
  ref(field: string): string;
  ref(field: string, optional: 'optional'): string | undefined;
  ref(field: string, optional?: 'optional'): string | undefined {
    const value = optional ? this.string(field, optional) : this.string(field);
    if (value !== undefined && !/^[^/]+\/.+$/.test(value)) {
      this.fail(field, 'invalidValue', `must name a container as "host/name", e.g. "staging/web", not "${value}".`);
    }
    return value;
  }

  /** A non-empty list of "host/name" references. */
  refs(field: string): string[] {
    const value = this.raw[field];
    if (value === undefined) {
      this.fail(field, 'missing', 'is required: a list of "host/name" references.');
    }
    if (!Array.isArray(value) || value.length === 0 || value.some((reference) => typeof reference !== 'string')) {
      this.fail(field, 'wrongType', `must be a non-empty list of "host/name" references, not ${JSON.stringify(value)}.`);
    }
    value.forEach((reference: string) => {
      if (!/^[^/]+\/.+$/.test(reference)) {
        this.fail(field, 'invalidValue', `must name containers as "host/name", e.g. "staging/web", not "${reference}".`);
      }
    });
    return value as string[];
  }

  port(field: string): number;
  port(field: string, optional: 'optional'): number | undefined;
  port(field: string, optional?: 'optional'): number | undefined {
    const value = this.raw[field];
    if (value === undefined && optional) {
      return undefined;
    }
    if (value === undefined) {
      this.fail(field, 'missing', 'is required (a TCP port number).');
    }
    if (typeof value !== 'number') {
      this.fail(field, 'wrongType', `must be a number, not ${JSON.stringify(value)}.`);
    }
    const problem = portProblem(value);
    if (problem) {
      this.fail(field, 'invalidValue', problem);
    }
    return value;
  }

  alias(field: string): string | undefined {
    const value = this.string(field, 'optional');
    const problem = value === undefined ? undefined : aliasProblem(value);
    if (problem) {
      this.fail(field, 'invalidValue', problem);
    }
    return value;
  }

  flag(field: string): boolean | undefined {
    const value = this.raw[field];
    if (value !== undefined && typeof value !== 'boolean') {
      this.fail(field, 'wrongType', `must be true or false, not ${JSON.stringify(value)}.`);
    }
    return value as boolean | undefined;
  }

  oneOf<T extends string>(field: string, values: readonly T[]): T | undefined {
    const value = this.raw[field];
    if (value !== undefined && !values.includes(value as T)) {
      this.fail(field, 'invalidValue', `must be ${values.map((candidate) => `"${candidate}"`).join(' or ')}, not ${JSON.stringify(value)}.`);
    }
    return value as T | undefined;
  }

  /** "reuse" (the port the container publishes) or a host port. */
  publish(field: string): 'reuse' | number | undefined {
    const value = this.raw[field];
    if (value === undefined || value === 'reuse') {
      return value;
    }
    if (typeof value !== 'number') {
      this.fail(field, 'wrongType', `must be "reuse" or a port number, not ${JSON.stringify(value)}.`);
    }
    return this.port(field);
  }

  /** copyChanges / discardChanges: the answer to files a recreation would lose. */
  writableLayer(): 'copy' | 'discard' | undefined {
    const copy = this.flag('copyChanges');
    const discard = this.flag('discardChanges');
    if (copy && discard) {
      this.fail('discardChanges', 'conflict', 'cannot be given with copyChanges: pass one of them.');
    }
    return copy ? 'copy' : discard ? 'discard' : undefined;
  }
}

/** A container reference given as "host/name" or `{ container: "host/name" }`. */
export function containerRefArgument(command: string, args: unknown): string {
  if (typeof args === 'string') {
    return new Fields(command, { container: args }, '').ref('container');
  }
  return new Fields(command, args, '"host/name" or { container: "host/name" }').ref('container');
}

/** A host given as "name" or `{ host: "name" }`. */
export function hostNameArgument(command: string, args: unknown): string {
  if (typeof args === 'string') {
    return args;
  }
  return new Fields(command, args, '"host" or { host: "host" }').string('host');
}

/** Plan executor options that show each step in the progress and stop at Cancel (rolling back before the point of no return). */
export function executeOptions(progress: RunProgress): ExecuteOptions {
  return { onStep: (description, index, total) => progress.report(`${description} (${index + 1}/${total})`), signal: progress.signal };
}

const quietProgress: RunProgress = { report: () => undefined };

/**
 * Scripted callers pass a string or a plain object (JSON-like); a tree node, a view title button
 * (which hands over the focused node) or the palette pass a class instance or nothing.
 */
export function isScriptedArgument(argument: unknown): boolean {
  if (argument === undefined || argument === null) {
    return false;
  }
  if (typeof argument !== 'object') {
    return true;
  }
  const prototype = Object.getPrototypeOf(argument);
  return Array.isArray(argument) || prototype === Object.prototype || prototype === null;
}

/**
 * Runs a command as registration does: scripted arguments are parsed and run (errors go to the
 * caller); otherwise the user is asked, the request runs under cancellable progress, failures the
 * command can answer are asked about, and the outcome is reported.
 */
export async function invoke(command: AnyCommand, context: CommandContext, ui: Prompter, args: unknown[]): Promise<unknown> {
  const [first] = args;
  const toResult = (result: unknown) => (command.toResult ? command.toResult(result) : result);
  if (isScriptedArgument(first)) {
    return toResult(await command.run(context, command.parse(first), quietProgress));
  }
  let request = await command.prompt(ui, context, first as TreeNode | undefined);
  while (request !== undefined) {
    const current = request;
    try {
      const result = command.progressTitle
        ? await ui.withProgress(command.progressTitle(current), (progress) => command.run(context, current, progress))
        : await command.run(context, current, quietProgress);
      command.report?.(ui, result, current, context);
      return toResult(result);
    } catch (error) {
      const answered = command.answer ? await command.answer(ui, error, current, context) : 'rethrow';
      if (answered === 'rethrow') {
        throw error;
      }
      request = answered;
    }
  }
  return undefined;
}
