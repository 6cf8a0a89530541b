import * as assert from 'node:assert/strict';
import { type Answer, type ConfirmOptions, type InputOptions, type PickItem, type PickOptions, type Prompter, type RunProgress, back, isSeparator } from '../../../src/ui/prompter';

type Kind = 'pickOne' | 'pickMany' | 'inputText' | 'confirm' | 'pickPath' | 'notify' | 'inform';

/** What a prompt showed, as the fake saw it. */
export interface Shown {
  kind: Kind;
  title: string;
  options: unknown;
}

/** One expected prompt: its kind, a title that must match, and how the "user" answers it. */
export interface Expected {
  kind: Kind;
  title: string | RegExp;
  answer: (options: never) => unknown;
}

/**
 * A Prompter that plays a script: every prompt must be the next expected one (kind and title),
 * anything else fails the test. `done()` asserts the whole script was used.
 */
export class ScriptedPrompter implements Prompter {
  readonly shown: Shown[] = [];
  readonly progressTitles: string[] = [];
  /** Status bar messages (not prompts: the script does not list them). */
  readonly statuses: string[] = [];
  /** Aborts the signal progress hands to a run, to test Cancel. */
  readonly cancel = new AbortController();

  constructor(private readonly script: Expected[]) {}

  private next(kind: Kind, title: string, options: unknown): unknown {
    this.shown.push({ kind, title, options });
    const expected = this.script.shift();
    assert.ok(expected, `unexpected ${kind} "${title}" (the script has ended)`);
    assert.equal(kind, expected.kind, `expected ${expected.kind} "${String(expected.title)}", got ${kind} "${title}"`);
    if (typeof expected.title === 'string') {
      assert.equal(title, expected.title);
    } else {
      assert.match(title, expected.title);
    }
    return (expected.answer as (options: unknown) => unknown)(options);
  }

  done(): void {
    assert.deepEqual(
      this.script.map((expected) => `${expected.kind} ${String(expected.title)}`),
      [],
      'prompts expected but never shown',
    );
  }

  async pickOne<T>(options: PickOptions<T>): Promise<Answer<T>> {
    return this.next('pickOne', options.title, options) as Answer<T>;
  }
  async pickMany<T>(options: PickOptions<T>): Promise<Answer<T[]>> {
    return this.next('pickMany', options.title, options) as Answer<T[]>;
  }
  async inputText(options: InputOptions): Promise<Answer<string>> {
    return this.next('inputText', options.title, options) as Answer<string>;
  }
  async confirm(options: ConfirmOptions): Promise<string | undefined> {
    return this.next('confirm', options.message, options) as string | undefined;
  }
  async pickPath(options: { title: string; folders: boolean; openLabel: string }): Promise<string | undefined> {
    return this.next('pickPath', options.title, options) as string | undefined;
  }
  async notify(level: 'info' | 'warning', message: string, ...actions: string[]): Promise<string | undefined> {
    return this.next('notify', message, { level, actions }) as string | undefined;
  }
  async inform(message: string, detail: string): Promise<void> {
    this.next('inform', message, { detail });
  }
  status(message: string): void {
    this.statuses.push(message);
  }
  async withProgress<T>(title: string, task: (progress: RunProgress) => Promise<T>): Promise<T> {
    this.progressTitles.push(title);
    return task({ report: () => undefined, signal: this.cancel.signal });
  }
}

const itemsOf = <T>(options: PickOptions<T>): Array<PickItem<T>> => options.items.filter((item): item is PickItem<T> => !isSeparator(item));

/** Picks the item whose label contains `label`. */
export function pick(title: string | RegExp, label: string): Expected {
  return {
    kind: 'pickOne',
    title,
    answer: (options: PickOptions<unknown>) => {
      const item = itemsOf(options).find((candidate) => candidate.label.includes(label));
      assert.ok(
        item,
        `no item "${label}" in "${options.title}": ${itemsOf(options)
          .map((candidate) => candidate.label)
          .join(', ')}`,
      );
      return item.value;
    },
  };
}

/** Picks the items whose labels contain one of `labels`. */
export function pickMany(title: string | RegExp, labels: string[]): Expected {
  return {
    kind: 'pickMany',
    title,
    answer: (options: PickOptions<unknown>) =>
      itemsOf(options)
        .filter((item) => labels.some((label) => item.label.includes(label)))
        .map((item) => item.value),
  };
}

/** Types `text` into a quick pick and presses Enter: it must validate as a typed value. */
export function typeInPick(title: string | RegExp, text: string): Expected {
  return {
    kind: 'pickOne',
    title,
    answer: (options: PickOptions<unknown>) => {
      const typed = options.typed?.(text);
      assert.ok(typed && 'value' in typed, `"${text}" is not accepted in "${options.title}": ${typed && 'problem' in typed ? typed.problem : 'no typed values'}`);
      return typed.value;
    },
  };
}

/** Types `text` into an input box and presses Enter: it must validate. */
export function type(title: string | RegExp, text: string): Expected {
  return {
    kind: 'inputText',
    title,
    answer: (options: InputOptions) => {
      assert.equal(options.validate?.(text), undefined, `"${text}" does not validate in "${options.title}"`);
      return text.trim();
    },
  };
}

/** Presses Enter on what the input box offers. */
export function accept(title: string | RegExp): Expected {
  return { kind: 'inputText', title, answer: (options: InputOptions) => options.value ?? '' };
}

export function escape(kind: Kind, title: string | RegExp): Expected {
  return { kind, title, answer: () => undefined };
}

export function goBack(kind: Kind, title: string | RegExp): Expected {
  return { kind, title, answer: () => back };
}

/** Any answer, with a look at the options first (e.g. to check validation messages). */
export function inspect<O>(kind: Kind, title: string | RegExp, look: (options: O) => unknown): Expected {
  return { kind, title, answer: look as (options: never) => unknown };
}

export function confirm(message: string | RegExp, action: string | undefined): Expected {
  return { kind: 'confirm', title: message, answer: () => action };
}

export function notice(message: string | RegExp, action?: string): Expected {
  return { kind: 'notify', title: message, answer: () => action };
}
