/**
 * Polls a condition instead of sleeping a fixed time; fails with `what` after the timeout. An async
 * condition lets the code under test run while it is checked (see dockerAsync).
 */
export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
