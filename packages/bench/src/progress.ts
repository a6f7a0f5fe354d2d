/**
 * The progress line on stderr while the bench runs: a redrawn bar on a terminal, plain lines
 * otherwise (CI logs). Never more often than every 500 ms, so drawing costs the client nothing.
 */

export type Phase = 'signing' | 'warm-up' | 'measuring' | 'draining';

export interface ProgressSnapshot {
  /** What is being loaded: `ceiling` or `openkka`. */
  target: string;
  phase: Phase;
  /** Seconds into the phase (signatures made, while signing). */
  done: number;
  /** The phase's length in the same unit. */
  total: number;
  ok: number;
  errors: number;
  /** ok answers per second over the last interval; null while signing. */
  rate: number | null;
}

const BAR_WIDTH = 24;
const grouped = (n: number) => Math.round(n).toLocaleString('en-US');

export function progressBar(fraction: number, width = BAR_WIDTH): string {
  const clamped = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const filled = Math.round(clamped * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

export function formatProgress(s: ProgressSnapshot): string {
  const bar = progressBar(s.total > 0 ? s.done / s.total : 1);
  const head = `${s.target.padEnd(7)} ${s.phase.padEnd(10)}${bar}`;
  if (s.phase === 'signing') return `${head} ${grouped(s.done)}/${grouped(s.total)} signed`;
  const clock = s.phase === 'draining' ? 'last answers' : `${s.done.toFixed(1)}/${s.total.toFixed(1)} s`;
  const rate = s.rate === null ? '' : `  ${grouped(s.rate)}/s`;
  return `${head} ${clock}  ${grouped(s.ok)} ok  ${grouped(s.errors)} err${rate}`;
}

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export const MIN_REDRAW_MS = 500;
/** Plain lines pile up in a log, so they come less often than redraws. */
export const MIN_LINE_MS = 1000;

export class ProgressRenderer {
  private lastAt = Number.NEGATIVE_INFINITY;
  private drawn = false;

  constructor(
    private readonly stream: ProgressStream,
    private readonly now: () => number = () => performance.now(),
  ) {}

  update(snapshot: ProgressSnapshot): void {
    const at = this.now();
    const tty = this.stream.isTTY === true;
    if (at - this.lastAt < (tty ? MIN_REDRAW_MS : MIN_LINE_MS)) return;
    this.lastAt = at;
    const line = formatProgress(snapshot);
    this.stream.write(tty ? `\r\x1b[K${line}` : `${line}\n`);
    this.drawn = true;
  }

  /** Clears a terminal's bar so the summary starts on a clean line. */
  finish(): void {
    if (this.drawn && this.stream.isTTY === true) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }
}
