/**
 * The one repeating timer of the bench: progress ticks, memory samples and the open-loop
 * sender all run through it. Unref'd, so a forgotten stop never keeps a process alive.
 */
export function every(intervalMs: number, tick: () => void): () => void {
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
