import { Emitter } from '../../src/core/like';

/**
 * The parts of `vscode` the Containers tree provider uses, working, so it runs in plain Node
 * (the scale unit test and bench:tree): items are plain records of what the view would show.
 */
class TreeItem {
  id?: string;
  description?: string;
  tooltip?: unknown;
  iconPath?: unknown;
  contextValue?: string;
  command?: unknown;
  constructor(
    readonly label: string,
    public collapsibleState?: number,
  ) {}
}

class ThemeIcon {
  constructor(
    readonly id: string,
    readonly color?: ThemeColor,
  ) {}
}

class ThemeColor {
  constructor(readonly id: string) {}
}

class MarkdownString {
  constructor(
    public value = '',
    readonly supportThemeIcons?: boolean,
  ) {}
  appendMarkdown(value: string): this {
    this.value += value;
    return this;
  }
  appendText(value: string): this {
    this.value += value;
    return this;
  }
}

export const vscodeTreeApi: Record<string, unknown> = {
  // The core's Emitter has vscode.EventEmitter's calling convention.
  EventEmitter: Emitter,
  TreeItem,
  ThemeIcon,
  ThemeColor,
  MarkdownString,
  TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
  commands: { executeCommand: async () => undefined },
  env: { remoteName: undefined, uiKind: 1 },
  UIKind: { Desktop: 1, Web: 2 },
  extensions: { getExtension: () => undefined },
  ExtensionKind: { UI: 1, Workspace: 2 },
};
