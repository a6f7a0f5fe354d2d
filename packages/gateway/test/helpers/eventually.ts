/**
 * Waiting in tests: poll for the condition itself, with a ceiling that only a real failure
 * reaches. A loaded 2-core machine can be ten times slower than an idle one, so no test waits a
 * fixed time and hopes the machine kept up (docs/testing.md, "On a busy machine").
 */

/** How long a wait may take before it counts as never: generous, since only a failure reaches it. */
export const CEILING_MS = 60_000;

/**
 * Polls `probe` every `everyMs` until it returns a value other than undefined, which it
 * returns; fails after `ceilingMs` with the last error the probe threw, if any.
 */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  ceilingMs = CEILING_MS,
  everyMs = 20,
): Promise<T> {
  const deadline = Date.now() + ceilingMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`${what}: not within ${ceilingMs} ms${last ? ` (last error: ${String(last)})` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
