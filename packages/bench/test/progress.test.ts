// The progress line: its text, and how often it may be drawn on a terminal and in a log.
import { describe, expect, it } from 'vitest';
import {
  formatProgress,
  MIN_LINE_MS,
  MIN_REDRAW_MS,
  ProgressRenderer,
  type ProgressSnapshot,
  progressBar,
} from '../src/progress.ts';

const measuring: ProgressSnapshot = {
  target: 'openkka',
  phase: 'measuring',
  done: 4.5,
  total: 10,
  ok: 3812,
  errors: 0,
  rate: 845.4,
};

describe('formatProgress', () => {
  it('shows the target, phase, a bar, the clock, counts and the current rate', () => {
    expect(formatProgress(measuring)).toBe(
      'openkka measuring [###########.............] 4.5/10.0 s  3,812 ok  0 err  845/s',
    );
  });

  it('counts signatures while signing, and names the drain', () => {
    expect(
      formatProgress({
        target: 'client',
        phase: 'signing',
        done: 1500,
        total: 6000,
        ok: 0,
        errors: 0,
        rate: null,
      }),
    ).toBe('client  signing   [######..................] 1,500/6,000 signed');
    expect(formatProgress({ ...measuring, phase: 'draining', done: 0, total: 0, errors: 2 })).toBe(
      'openkka draining  [########################] last answers  3,812 ok  2 err  845/s',
    );
  });

  it('draws a bar clamped to its width', () => {
    expect(progressBar(0, 4)).toBe('[....]');
    expect(progressBar(0.5, 4)).toBe('[##..]');
    expect(progressBar(1.7, 4)).toBe('[####]');
    expect(progressBar(-1, 4)).toBe('[....]');
    expect(progressBar(Number.NaN, 4)).toBe('[....]');
  });
});

function recorder(isTTY: boolean) {
  const written: string[] = [];
  let now = 0;
  const renderer = new ProgressRenderer({ isTTY, write: (text: string) => written.push(text) }, () => now);
  return { written, renderer, advance: (ms: number) => (now += ms) };
}

describe('ProgressRenderer', () => {
  it('on a terminal redraws one line in place, at most every 500 ms, and clears it at the end', () => {
    const { written, renderer, advance } = recorder(true);
    renderer.update(measuring);
    advance(MIN_REDRAW_MS - 1);
    renderer.update({ ...measuring, done: 5 });
    expect(written).toHaveLength(1);
    advance(1);
    renderer.update({ ...measuring, done: 5 });
    expect(written).toHaveLength(2);
    expect(written[1]!.startsWith('\r\x1b[K')).toBe(true);
    expect(written[1]).toContain('5.0/10.0 s');
    expect(written.join('')).not.toContain('\n');
    renderer.finish();
    expect(written[2]).toBe('\r\x1b[K');
  });

  it('elsewhere writes plain lines, at most one a second, with no control characters', () => {
    const { written, renderer, advance } = recorder(false);
    for (let i = 0; i < 40; i++) {
      renderer.update(measuring);
      advance(100);
    }
    expect(written).toHaveLength(Math.ceil((40 * 100) / MIN_LINE_MS));
    for (const line of written) expect(line).toMatch(/^openkka measuring \[[#.]+\] .*\n$/);
    renderer.finish();
    expect(written.join('')).not.toContain('\r');
    expect(written.join('')).not.toContain('\x1b');
  });

  it('writes nothing at the end when it never drew', () => {
    const { written, renderer } = recorder(true);
    renderer.finish();
    expect(written).toEqual([]);
  });
});
