/**
 * The order the sides of one round run in, drawn afresh each round: a fixed order would give
 * one side the slot just after the other (a warm cache, a pending WAL checkpoint) every time.
 * Pure: the random source is passed in.
 */
export function shuffled<T>(items: readonly T[], random: () => number = Math.random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
