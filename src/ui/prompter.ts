/**
 * Everything a command asks or tells the user goes through this interface: the VS Code
 * implementation (vscodePrompter.ts) is built once in activate(), and unit tests pass a scripted
 * fake (test/unit/fakes/scriptedPrompter.ts) that fails on any prompt it did not expect. Nothing
 * here imports `vscode` at run time, so prompt flows run in plain Node.
 */

/** The Back button of a multi-step flow was pressed. */
export const back: unique symbol = Symbol('back');
/** A value, Back, or undefined for Escape. */
export type Answer<T> = T | typeof back | undefined;

/** Where a prompt sits in a multi-step flow; with step > 1 it shows a Back button. */
export interface StepPosition {
  step?: number;
  totalSteps?: number;
}

export interface PickItem<T> {
  label: string;
  description?: string;
  detail?: string;
  value: T;
  picked?: boolean;
}

export interface Separator {
  separator: string;
}

export interface PickOptions<T> extends StepPosition {
  title: string;
  placeholder?: string;
  items: Array<PickItem<T> | Separator>;
  /** The value picked last time, active again when the user comes back to this step. */
  active?: T;
  /**
   * Text typed that names no item: the value it stands for (offered as the first item and accepted
   * with Enter), or why it is not valid (shown while typing). Undefined: only filter the items.
   */
  typed?: (text: string) => { value: T; label: string } | { problem: string } | undefined;
}

export interface InputOptions extends StepPosition {
  title: string;
  prompt?: string;
  placeholder?: string;
  value?: string;
  /** Why the text is not valid yet, shown as the user types; undefined when it is. */
  validate?: (text: string) => string | undefined;
}

export interface ConfirmOptions {
  message: string;
  detail?: string;
  /** Buttons; the first is the default. Cancel is always there and answers undefined. */
  actions: string[];
}

/** Progress of a long operation: a message per step, and Cancel as an AbortSignal. */
export interface RunProgress {
  report(message: string): void;
  readonly signal?: AbortSignal;
}

export interface Prompter {
  pickOne<T>(options: PickOptions<T>): Promise<Answer<T>>;
  pickMany<T>(options: PickOptions<T>): Promise<Answer<T[]>>;
  inputText(options: InputOptions): Promise<Answer<string>>;
  /** A modal question; the chosen action, or undefined for Cancel. */
  confirm(options: ConfirmOptions): Promise<string | undefined>;
  /** A file or folder from the open dialog (the save dialog, for a file to write, with `save`); undefined when cancelled. */
  pickPath(options: { title: string; folders: boolean; openLabel: string; save?: { defaultName: string } }): Promise<string | undefined>;
  /** A notification (never modal); resolves with the action clicked, if any. */
  notify(level: 'info' | 'warning', message: string, ...actions: string[]): Promise<string | undefined>;
  /** A modal message with details and only a close button (facts the user asked to see). */
  inform(message: string, detail: string): Promise<void>;
  /** A short-lived status bar message: a quiet "done" for actions whose effect speaks for itself. */
  status(message: string): void;
  /** Runs `task` under a cancellable progress notification. */
  withProgress<T>(title: string, task: (progress: RunProgress) => Promise<T>): Promise<T>;
}

export type StepOutcome = 'next' | 'back' | 'cancel';
/** One step of a flow; `position` is what its prompt shows (step n of m). */
export type FlowStep = (position: Required<StepPosition>) => Promise<StepOutcome | 'skip'>;

/**
 * VS Code's MultiStepInput pattern: runs the steps in order; Back returns to the step shown
 * before (steps that were skipped are skipped again), Escape ends the flow. Steps keep their
 * answers in the caller's state, so a step shown again offers what was chosen before.
 * Resolves true when the last step was answered.
 */
export async function runSteps(steps: FlowStep[]): Promise<boolean> {
  const shown: number[] = [];
  let index = 0;
  while (index < steps.length) {
    const outcome = await steps[index]({ step: shown.length + 1, totalSteps: Math.max(steps.length, shown.length + 1) });
    if (outcome === 'cancel') {
      return false;
    }
    if (outcome === 'back') {
      const previous = shown.pop();
      if (previous === undefined) {
        return false;
      }
      index = previous;
      continue;
    }
    if (outcome === 'next') {
      shown.push(index);
    }
    index++;
  }
  return true;
}

/** The step outcome of an answer, keeping a value. */
export function keep<T>(answer: Answer<T>, store: (value: T) => void): StepOutcome {
  if (answer === back) {
    return 'back';
  }
  if (answer === undefined) {
    return 'cancel';
  }
  store(answer);
  return 'next';
}

export function isSeparator<T>(item: PickItem<T> | Separator): item is Separator {
  return 'separator' in item;
}
