/**
 * GET /dashboard/overview?range=hour|day|week: the charts, drawn in the browser by uPlot from
 * the figures the page carries as JSON (a data block, which no policy needs to allow), and the
 * decline reasons as a table.
 */
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../domain/clock.ts';
import {
  type DashboardOverview,
  type Overview,
  RANGES,
  type RangeName,
} from '../../modules/dashboard/overview.ts';
import { escapeHtml } from '../layout.ts';
import { authorized, type Guard } from './session.ts';
import { BASE, sendDashboard, shell, t, type View } from './shell.ts';
import { type TextKey, textOf } from './text.ts';

export interface OverviewDeps extends Guard {
  overview: DashboardOverview;
  clock: Clock;
}

const CHARTS: {
  id: string;
  title: TextKey;
  series: TextKey[];
  values: (o: Overview) => (number | null)[][];
  /** A share in percent: its axis is 0 to 100 whatever the figures. */
  percent?: boolean;
}[] = [
  {
    id: 'chart-payments',
    title: 'overview.perMinute',
    series: ['nav.payments'],
    values: (o) => [o.perMinute],
  },
  {
    id: 'chart-approval',
    title: 'overview.approval',
    series: ['overview.approval'],
    values: (o) => [o.approval],
    percent: true,
  },
  {
    id: 'chart-latency',
    title: 'overview.latency',
    series: ['overview.p50', 'overview.p99'],
    values: (o) => [o.p50, o.p99],
  },
  { id: 'chart-refunds', title: 'overview.refunds', series: ['payment.refunds'], values: (o) => [o.refunds] },
  {
    id: 'chart-notifications',
    title: 'overview.notifications',
    series: ['overview.notifications'],
    values: (o) => [o.notified],
    percent: true,
  },
];

export function overviewRoutes(app: FastifyInstance, deps: OverviewDeps): void {
  app.get(`${BASE}/overview`, async (request, reply) => {
    const ok = await authorized(deps, request, reply);
    if (!ok) return reply;
    const asked = (request.query as { range?: unknown }).range;
    const range: RangeName = typeof asked === 'string' && asked in RANGES ? (asked as RangeName) : 'hour';
    const overview = await deps.overview.read(range, deps.clock.now());
    return sendDashboard(reply, 200, overviewPage(ok.view, range, overview));
  });
}

function overviewPage(view: View, range: RangeName, overview: Overview): string {
  const data = {
    times: overview.times,
    zone: view.zone.name,
    charts: CHARTS.map((c) => ({
      percent: c.percent === true,
      id: c.id,
      series: c.series.map((s) => textOf(view.locale, s)),
      values: c.values(overview),
    })),
  };
  // `<` written as \u003c: no text in the block can end it early.
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  const ranges = (Object.keys(RANGES) as RangeName[])
    .map(
      (r) =>
        `<a href="${BASE}/overview?range=${r}"${r === range ? ' aria-current="page"' : ''}>${t(view, `overview.${r}`)}</a>`,
    )
    .join('');
  const charts = CHARTS.map(
    (c) => `<section class="chart"><h2>${t(view, c.title)}</h2><div id="${c.id}"></div></section>`,
  ).join('');
  const declines = overview.declines.length
    ? `<table class="declines"><thead><tr><th>${t(view, 'col.reason')}</th><th></th><th>${t(view, 'col.count')}</th></tr></thead><tbody>${overview.declines
        .map(
          (d) =>
            `<tr><td>${escapeHtml(d.code)}</td><td>${escapeHtml(d.description)}</td><td class="num">${d.count}</td></tr>`,
        )
        .join('')}</tbody></table>`
    : `<p class="muted">${t(view, 'none')}</p>`;
  return shell(view, {
    title: textOf(view.locale, 'overview.title'),
    styles: ['uPlot.min.css'],
    scripts: ['uPlot.iife.min.js', 'overview.js'],
    body: `<p class="ranges">${ranges}</p><div class="charts">${charts}<section class="chart"><h2>${t(view, 'overview.declines')}</h2>${declines}</section></div>
<p class="muted">${t(view, 'overview.note')}</p>
<script type="application/json" id="overview-data">${json}</script>`,
  });
}
