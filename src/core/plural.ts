/** "1 container", "2 containers", "0 containers"; `plural` for words that do not just take an "s". */
export function countOf(count: number, singular: string, plural = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : plural}`;
}
