/** A `view/item/context` entry of package.json. */
export interface MenuEntry {
  command: string;
  when?: string;
  group?: string;
}

export interface MenuAction {
  command: string;
  title: string;
}

/**
 * The commands the tree's context menu offers for a row with this contextValue, in menu order, read
 * from package.json's own menus so the topology offers exactly what a right-click would. Knows the
 * clauses those menus use: `view == …`, `viewItem == …` and `viewItem =~ /…/`, joined by `&&`.
 */
export function menuActions(entries: readonly MenuEntry[], titles: ReadonlyMap<string, string>, view: string, contextValue: string): MenuAction[] {
  const applies = (when: string | undefined) =>
    (when ?? '').split('&&').every((clause) => {
      const equals = /^\s*(view|viewItem)\s*==\s*(\S+)\s*$/.exec(clause);
      if (equals) {
        return (equals[1] === 'view' ? view : contextValue) === equals[2];
      }
      const matches = /^\s*viewItem\s*=~\s*\/(.*)\/([a-z]*)\s*$/.exec(clause);
      if (matches) {
        return new RegExp(matches[1], matches[2]).test(contextValue);
      }
      // A clause this reader does not know: not offered, rather than offered where the menu would not.
      return clause.trim() === '';
    });
  const order = (group: string | undefined) => (group ?? 'z').replace(/@(\d+)$/, (_, index: string) => `@${index.padStart(3, '0')}`);
  const seen = new Set<string>();
  return entries
    .filter((entry) => applies(entry.when))
    .sort((a, b) => order(a.group).localeCompare(order(b.group)))
    .filter((entry) => !seen.has(entry.command) && seen.add(entry.command) !== undefined)
    .map((entry) => ({ command: entry.command, title: titles.get(entry.command) ?? entry.command }));
}
