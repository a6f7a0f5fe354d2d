/**
 * The overview's figures, read from the store: with the clock held still, every payment,
 * refund and notification attempt falls in the window's last bucket, where the page's data
 * must show exactly them.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.ts';
import { quantile } from '../../src/modules/dashboard/overview.ts';
import { cardPayment } from '../helpers/cards.ts';
import { eventually } from '../helpers/eventually.ts';
import { startGateway, type TestGateway } from '../helpers/gateway.ts';
import { type AnsweringReceiver, answeringReceiver } from './answering.ts';
import { login, type Operator } from './client.ts';

const TOKEN = randomBytes(32).toString('base64url');
// Mid-minute, mid-quarter-hour: the window's last bucket holds everything this test makes.
const clock = new ManualClock(Date.UTC(2026, 11, 3, 9, 7, 30));
let gw: TestGateway;
let receiver: AnsweringReceiver;
let operator: Operator;

interface Data {
  times: number[];
  charts: { id: string; series: string[]; values: (number | null)[][] }[];
}

async function overview(range: string): Promise<{ data: Data; html: string }> {
  const page = await operator.get(`/dashboard/overview?range=${range}`);
  expect(page.status).toBe(200);
  const json = /<script type="application\/json" id="overview-data">([^<]*)<\/script>/.exec(page.body)![1]!;
  return { data: JSON.parse(json) as Data, html: page.body };
}

const last = (data: Data, id: string) => data.charts.find((c) => c.id === id)!.values.map((v) => v.at(-1));

beforeAll(async () => {
  gw = await startGateway({ clock, env: { OPENKKA_ADMIN_TOKEN: TOKEN } });
  receiver = await answeringReceiver();
  const merchant = await gw.createMerchant({ notifyUrl: receiver.url });
  operator = await login(gw.baseUrl, TOKEN);
  const paid = await merchant.client.payments.create(cardPayment({ amount: 1000 }));
  await merchant.client.payments.create(cardPayment({ amount: 500 }));
  await merchant.client.payments.create(cardPayment({ amount: 700 }, { card_no: '4000000000000002' }));
  await merchant.client.refunds.create({
    refund_trans_id: `r-${paid.order_id}`,
    ori_order_id: paid.order_id,
    refund_amount: 300,
    currency: 'USD',
  });
  // Three payment notifications and the refund's, each acknowledged at its first attempt.
  await eventually('delivered', async () => {
    gw.dispatcher.poke();
    const rows = await gw.notifications.list({ status: 'DELIVERED' });
    return rows.length >= 4 ? true : undefined;
  });
});
afterAll(async () => {
  await receiver?.close();
  await gw?.close();
});

describe('the overview', () => {
  it('over the last hour: per-minute buckets ending now', async () => {
    const { data, html } = await overview('hour');
    expect(data.times).toHaveLength(60);
    expect(data.times.at(-1)).toBe(Math.floor(clock.now() / 60_000) * 60);
    expect(last(data, 'chart-payments')).toEqual([3]);
    expect(last(data, 'chart-approval')).toEqual([66.7]);
    expect(last(data, 'chart-refunds')).toEqual([300]);
    // The simulator answers at once, and the clock stood still: every outcome took 0 ms.
    expect(last(data, 'chart-latency')).toEqual([0, 0]);
    expect(last(data, 'chart-notifications')).toEqual([100]);
    // Nothing before: the buckets are empty, the rates unknown rather than 0 %.
    expect(
      data.charts
        .find((c) => c.id === 'chart-approval')!
        .values[0]!.slice(0, -1)
        .every((v) => v === null),
    ).toBe(true);
    expect(html).toMatch(/<td>\d{4}<\/td><td>[^<]+<\/td><td class="num">1<\/td>/);
    expect(html).toContain('<script src="/dashboard/assets/uPlot.iife.min.js"></script>');
  });

  it('over a day and a week: wider buckets, the rate still per minute', async () => {
    const day = (await overview('day')).data;
    expect(day.times).toHaveLength(96);
    expect(last(day, 'chart-payments')).toEqual([3 / 15]);
    const week = (await overview('week')).data;
    expect(week.times).toHaveLength(168);
    expect(last(week, 'chart-payments')).toEqual([3 / 60]);
    expect(last(week, 'chart-refunds')).toEqual([300]);
  });

  it('reads nothing older than the window', async () => {
    clock.advance(3_600_000);
    const { data } = await overview('hour');
    expect(data.charts.find((c) => c.id === 'chart-payments')!.values[0]!.every((v) => v === 0)).toBe(true);
    clock.advance(-3_600_000);
  });
});

describe('quantile', () => {
  it('is the nearest rank: a time some outcome took', () => {
    expect(quantile([], 0.5)).toBeNull();
    expect(quantile([5], 0.99)).toBe(5);
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(2);
    expect(
      quantile(
        Array.from({ length: 100 }, (_, i) => i + 1),
        0.99,
      ),
    ).toBe(99);
    expect(
      quantile(
        Array.from({ length: 1000 }, (_, i) => i + 1),
        0.99,
      ),
    ).toBe(990);
  });
});
