/**
 * The load curve as a small self-contained SVG: latency percentiles (log scale) against the
 * rate each step was sent at. Written by the bench itself, so a chart in the docs is exactly
 * what a run measured. Pure: steps in, markup out.
 */
import type { CurveStep } from './load-curve.ts';

const WIDTH = 640;
const HEIGHT = 360;
const MARGIN = { left: 64, right: 120, top: 40, bottom: 48 };

const SERIES = [
  { key: 'p50_ms', label: 'p50', colour: '#2b8a3e' },
  { key: 'p99_ms', label: 'p99', colour: '#e67700' },
  { key: 'p999_ms', label: 'p99.9', colour: '#c92a2a' },
] as const;

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fixed = (n: number) => Number(n.toFixed(1));
/** 1, 2, 5, 10, 20, 50 … ms: the gridlines of a log axis. */
const gridValues = (lo: number, hi: number) => {
  const out: number[] = [];
  for (let decade = 10 ** Math.floor(Math.log10(lo)); decade <= hi; decade *= 10) {
    for (const m of [1, 2, 5]) if (decade * m >= lo && decade * m <= hi) out.push(decade * m);
  }
  return out;
};

export function curveChartSvg(steps: readonly CurveStep[], title: string): string {
  const values = steps
    .flatMap((s) => SERIES.map((series) => s[series.key]))
    .filter((v): v is number => v !== null && v > 0);
  const lo = values.length ? 10 ** Math.floor(Math.log10(Math.min(...values))) : 1;
  const hi = values.length ? 10 ** Math.ceil(Math.log10(Math.max(...values))) : 10;
  const maxRate = Math.max(1, ...steps.map((s) => s.target_rate)) * 1.1;
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (rate: number) => fixed(MARGIN.left + (rate / maxRate) * plotW);
  const y = (ms: number) =>
    fixed(
      MARGIN.top + plotH - ((Math.log10(ms) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * plotH,
    );

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    // Screen readers (and the linter) need the chart's name as its title element.
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#fff"/>`,
    `<text x="${MARGIN.left}" y="24" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
  ];
  for (const ms of gridValues(lo, hi)) {
    parts.push(
      `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${y(ms)}" y2="${y(ms)}" stroke="#ddd"/>`,
      `<text x="${MARGIN.left - 6}" y="${y(ms) + 4}" text-anchor="end">${ms} ms</text>`,
    );
  }
  for (const step of steps) {
    const at = x(step.target_rate);
    parts.push(
      `<line x1="${at}" x2="${at}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="#eee"/>`,
      `<text x="${at}" y="${MARGIN.top + plotH + 16}" text-anchor="middle">${Math.round(step.target_rate)}/s</text>`,
      `<text x="${at}" y="${MARGIN.top + plotH + 30}" text-anchor="middle" fill="#666">${step.load_pct}%</text>`,
    );
  }
  parts.push(
    `<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="#333"/>`,
    `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH}" stroke="#333"/>`,
  );
  SERIES.forEach((series, i) => {
    const points = steps
      .filter((s) => s[series.key] !== null && s[series.key]! > 0)
      .map((s) => `${x(s.target_rate)},${y(s[series.key]!)}`);
    if (points.length > 1)
      parts.push(
        `<polyline points="${points.join(' ')}" fill="none" stroke="${series.colour}" stroke-width="2"/>`,
      );
    for (const point of points) {
      const [cx, cy] = point.split(',');
      parts.push(`<circle cx="${cx}" cy="${cy}" r="3" fill="${series.colour}"/>`);
    }
    const ly = MARGIN.top + 10 + i * 18;
    parts.push(
      `<line x1="${WIDTH - MARGIN.right + 16}" x2="${WIDTH - MARGIN.right + 36}" y1="${ly}" y2="${ly}" stroke="${series.colour}" stroke-width="2"/>`,
      `<text x="${WIDTH - MARGIN.right + 42}" y="${ly + 4}">${series.label}</text>`,
    );
  });
  parts.push(
    `<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 4}" text-anchor="middle">arrival rate (share of the measured capacity)</text>`,
    '</svg>',
  );
  return `${parts.join('\n')}\n`;
}
