import * as vscode from 'vscode';
import { type Answer, type InputOptions, type PickItem, type PickOptions, type Prompter, type RunProgress, type StepPosition, back, isSeparator } from './prompter';

type Item<T> = vscode.QuickPickItem & { value?: T; typed?: boolean };

/** The Prompter on vscode.window: quick picks and input boxes with step/totalSteps and a Back button. */
export function createVscodePrompter(): Prompter {
  return {
    pickOne: <T>(options: PickOptions<T>) => pick(options, false) as Promise<Answer<T>>,
    pickMany: <T>(options: PickOptions<T>) => pick(options, true) as Promise<Answer<T[]>>,
    inputText,
    async confirm({ message, detail, actions }) {
      return vscode.window.showWarningMessage(message, { modal: true, detail }, ...actions);
    },
    async pickPath({ title, folders, openLabel, save }) {
      if (save) {
        const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
        const chosen = await vscode.window.showSaveDialog({ title, saveLabel: openLabel, defaultUri: folder ? vscode.Uri.joinPath(folder, save.defaultName) : undefined });
        return chosen?.fsPath;
      }
      const picked = await vscode.window.showOpenDialog({ title, canSelectMany: false, canSelectFiles: !folders, canSelectFolders: folders, openLabel });
      return picked?.[0]?.fsPath;
    },
    async notify(level, message, ...actions) {
      return level === 'info' ? vscode.window.showInformationMessage(message, ...actions) : vscode.window.showWarningMessage(message, ...actions);
    },
    async inform(message, detail) {
      await vscode.window.showInformationMessage(message, { modal: true, detail });
    },
    status(message) {
      vscode.window.setStatusBarMessage(message, 4000);
    },
    withProgress<T>(title: string, task: (progress: RunProgress) => Promise<T>): Promise<T> {
      return Promise.resolve(
        vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
          const controller = new AbortController();
          token.onCancellationRequested(() => controller.abort(new Error('Cancelled')));
          return task({ report: (message) => progress.report({ message }), signal: controller.signal });
        }),
      );
    },
  };
}

function stepped(input: vscode.QuickPick<vscode.QuickPickItem> | vscode.InputBox, options: StepPosition & { title: string }): void {
  input.title = options.title;
  input.step = options.step;
  input.totalSteps = options.totalSteps;
  input.ignoreFocusOut = true;
  input.buttons = (options.step ?? 1) > 1 ? [vscode.QuickInputButtons.Back] : [];
}

function pick<T>(options: PickOptions<T>, many: boolean): Promise<Answer<T | T[]>> {
  const quickPick = vscode.window.createQuickPick<Item<T>>();
  stepped(quickPick as vscode.QuickPick<vscode.QuickPickItem>, options);
  quickPick.placeholder = options.placeholder;
  quickPick.canSelectMany = many;
  quickPick.matchOnDescription = true;
  quickPick.matchOnDetail = true;
  const items: Array<Item<T>> = options.items.map((item) => (isSeparator(item) ? { label: item.separator, kind: vscode.QuickPickItemKind.Separator } : toItem(item)));
  quickPick.items = items;
  quickPick.selectedItems = items.filter((item) => item.picked);
  const active = items.find((item) => item.value !== undefined && item.value === options.active);
  if (active) {
    quickPick.activeItems = [active];
  }
  return new Promise((resolve) => {
    const disposables: vscode.Disposable[] = [];
    const finish = (answer: Answer<T | T[]>) => {
      disposables.forEach((disposable) => disposable.dispose());
      quickPick.dispose();
      resolve(answer);
    };
    disposables.push(
      quickPick.onDidTriggerButton((button) => button === vscode.QuickInputButtons.Back && finish(back)),
      quickPick.onDidHide(() => finish(undefined)),
      // A typed value that names no item is offered as the first item, so Enter accepts it where it is typed.
      quickPick.onDidChangeValue((text) => {
        const exact = items.some((item) => item.value !== undefined && item.label === text.trim());
        const typed = options.typed && text.trim() !== '' && !exact ? options.typed(text.trim()) : undefined;
        const typedItem: Item<T> | undefined =
          typed && 'value' in typed
            ? { label: typed.label, value: typed.value, alwaysShow: true, typed: true }
            : typed
              ? { label: `$(error) ${text.trim()}`, detail: typed.problem, alwaysShow: true, typed: true }
              : undefined;
        quickPick.items = typedItem ? [typedItem, ...items] : items;
      }),
      quickPick.onDidAccept(() => {
        const selected = many ? [...quickPick.selectedItems] : [...quickPick.activeItems];
        if (!many) {
          const [item] = selected;
          // Enter may come before the typed item was added (the list updates asynchronously): read the text then.
          const typed = item ? undefined : options.typed?.(quickPick.value.trim());
          const value = item?.value ?? (typed && 'value' in typed ? typed.value : undefined);
          if (value !== undefined) {
            finish(value);
          }
          return; // an invalid typed value or nothing highlighted: stay open, the message says why
        }
        if (selected.length > 0) {
          finish(selected.flatMap((item) => (item.value !== undefined ? [item.value] : [])));
        }
      }),
    );
    quickPick.show();
  });
}

function toItem<T>(item: PickItem<T>): Item<T> {
  return { label: item.label, description: item.description, detail: item.detail, picked: item.picked, value: item.value };
}

function inputText(options: InputOptions): Promise<Answer<string>> {
  const box = vscode.window.createInputBox();
  stepped(box, options);
  box.prompt = options.prompt;
  box.placeholder = options.placeholder;
  box.value = options.value ?? '';
  const validate = (text: string) => (box.validationMessage = options.validate?.(text));
  if (box.value) {
    validate(box.value);
  }
  return new Promise((resolve) => {
    const disposables: vscode.Disposable[] = [];
    const finish = (answer: Answer<string>) => {
      disposables.forEach((disposable) => disposable.dispose());
      box.dispose();
      resolve(answer);
    };
    disposables.push(
      box.onDidTriggerButton((button) => button === vscode.QuickInputButtons.Back && finish(back)),
      box.onDidHide(() => finish(undefined)),
      box.onDidChangeValue(validate),
      box.onDidAccept(() => {
        if (!validate(box.value)) {
          finish(box.value.trim());
        }
      }),
    );
    box.show();
  });
}
