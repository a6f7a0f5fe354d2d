// The load-curve chart: a self-contained SVG whose points follow the measured steps.
import { describe, expect, it } from 'vitest';
import { curveChartSvg } from '../src/curve-chart.ts';
import type { CurveStep } from '../src/load-curve.ts';

const step = (load_pct: number, target_rate: number, p50: number, p99: number, p999: number): CurveStep => ({
  load_pct,
  target_rate,
  achieved_rate: target_rate,
  sent: target_rate * 6,
  p50_ms: p50,
  p99_ms: p99,
  p999_ms: p999,
  max_ms: p999,
  ok: target_rate * 6,
  orders_ok: target_rate * 6,
  errors: 0,
  error_kinds: {},
  signed_in_run: 0,
});

describe('curveChartSvg', () => {
  const steps = [
    step(25, 250, 2, 5, 8),
    step(50, 500, 3, 9, 15),
    step(75, 750, 5, 20, 40),
    step(90, 900, 9, 80, 200),
  ];
  const svg = curveChartSvg(steps, 'purchase <sqlite>');

  it('is one SVG document with a line and four points per percentile', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<polyline /g)).toHaveLength(3);
    expect(svg.match(/<circle /g)).toHaveLength(12);
    expect(svg).toContain('p99.9');
  });

  it('escapes the title and labels each step with its rate and share', () => {
    expect(svg).toContain('<title>purchase &lt;sqlite&gt;</title>');
    for (const label of ['250/s', '900/s', '25%', '90%']) expect(svg).toContain(label);
  });

  it('draws a higher latency higher up (smaller y), on a log scale', () => {
    const ys = [...svg.matchAll(/<circle cx="[\d.]+" cy="([\d.]+)"/g)].map((m) => Number(m[1]));
    // p50 points first: 2, 3, 5, 9 ms climb, so y falls.
    expect(ys.slice(0, 4)).toEqual([...ys.slice(0, 4)].sort((a, b) => b - a));
    // 10 → 100 ms takes the same height as 1 → 10 ms: the gridlines of 1, 10 and 100 ms are evenly spaced.
    const grid = (ms: number) => Number(new RegExp(`y="([\\d.]+)"[^>]*>${ms} ms<`).exec(svg)![1]);
    expect(grid(1) - grid(10)).toBeCloseTo(grid(10) - grid(100), 0);
  });

  it('still draws an empty chart when no step has a latency', () => {
    expect(curveChartSvg([], 'none')).toContain('</svg>');
  });
});
