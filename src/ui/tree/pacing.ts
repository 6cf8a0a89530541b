/**
 * How the tree keeps its pace with many hosts (no `vscode` import, so it is unit-tested in plain Node):
 * refreshes are merged into one per window, and the inspect calls the rows need wait their turn.
 */

/**
 * Merges refresh requests into one `fire`: the nodes asked for, or `undefined` (everything) once
 * anyone asked for everything. It fires once no request came for `quietMs`, or `maxWaitMs` after
 * the first, whichever is sooner: twenty hosts applying one burst of events, each a few
 * milliseconds after the other, redraw once, not twenty times, and a row's follow-up redraws ride along.
 */
export class RefreshBatcher<T> {
  private readonly pending = new Set<T>();
  private everything = false;
  private timer?: NodeJS.Timeout;
  private firstRequest = 0;

  constructor(
    private readonly quietMs: number,
    private readonly maxWaitMs: number,
    private readonly fire: (nodes: T[] | undefined) => void,
  ) {}

  request(node: T | undefined): void {
    if (node === undefined) {
      this.everything = true;
    } else {
      this.pending.add(node);
    }
    const now = Date.now();
    if (!this.timer) {
      this.firstRequest = now;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), Math.max(0, Math.min(this.quietMs, this.firstRequest + this.maxWaitMs - now)));
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
  }

  private flush(): void {
    this.timer = undefined;
    const nodes = this.everything ? undefined : [...this.pending];
    this.everything = false;
    this.pending.clear();
    this.fire(nodes);
  }
}

/**
 * Runs at most `limit` tasks at once, in the order they came. A host's rows ask inspect once each
 * when first drawn (250 rows, 250 calls); unlimited, they would fill the host's connection pool
 * and the list call that applies the next events would queue behind all of them.
 */
export class TaskLimiter {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  run<T>(task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        this.running++;
        task()
          .then(resolve, reject)
          .finally(() => {
            this.running--;
            this.waiting.shift()?.();
          });
      };
      if (this.running < this.limit) {
        start();
      } else {
        this.waiting.push(start);
      }
    });
  }
}
