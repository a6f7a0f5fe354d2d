/**
 * Finding 3: 200 notifications to a hanging receiver made another merchant's arrive 37 s late,
 * because the dispatcher claimed 64 due rows and waited for all of them. Now each merchant and
 * each receiving host has a share of the attempts in flight, a freed slot goes first to the
 * merchant with the fewest in flight, and claiming goes on while attempts are in flight. So the
 * other merchant's notification arrives while the hanging ones are still pending (most of them
 * not even tried yet), and when hanging merchants fill every slot, it takes the first one that
 * frees. Real clock, a short OPENKKA_NOTIFY_TIMEOUT, and polling: no timing assertions.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { cardPayment } from '../helpers/cards.ts';
import { eventually } from '../helpers/eventually.ts';
import { startGateway, type TestGateway, type TestMerchant } from '../helpers/gateway.ts';
import { type Receiver, startReceiver } from '../notifications/receiver.ts';

/** A receiver that reads each request and never answers, counting what is open at once. */
interface Hanging {
  url: string;
  received: number;
  open: number;
  mostOpen: number;
  server: Server;
}

async function hanging(): Promise<Hanging> {
  const h = { received: 0, open: 0, mostOpen: 0 } as Hanging;
  h.server = createServer((req, res) => {
    h.received++;
    h.open++;
    h.mostOpen = Math.max(h.mostOpen, h.open);
    req.resume();
    // The answer never starts; it closes when the gateway gives up and drops the connection.
    res.on('close', () => h.open--);
  });
  await new Promise<void>((resolve) => h.server.listen(0, '127.0.0.1', resolve));
  h.url = `http://127.0.0.1:${(h.server.address() as AddressInfo).port}/notify`;
  return h;
}

const servers: Hanging[] = [];
const receivers: Receiver[] = [];
let gw: TestGateway | undefined;

afterEach(async () => {
  for (const h of servers.splice(0)) {
    h.server.closeAllConnections();
    h.server.close();
  }
  await Promise.all(receivers.splice(0).map((r) => r.close()));
  await gw?.close();
  gw = undefined;
});

afterAll(async () => {
  await gw?.close();
});

async function backlog(merchant: TestMerchant, count: number): Promise<void> {
  for (let start = 0; start < count; start += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, count - start) }, () =>
        merchant.client.payments.create(cardPayment()),
      ),
    );
  }
}

/** The merchant's notifications never attempted yet (still waiting behind the hanging ones). */
async function untried(merchant: TestMerchant): Promise<number> {
  const rows = await gw!.runtime.store.writer
    .selectFrom('notifications')
    .select(['attempts', 'status'])
    .where('merchant_id', '=', merchant.merchantId)
    .execute();
  expect(rows.every((r) => r.status === 'PENDING')).toBe(true);
  return rows.filter((r) => Number(r.attempts) === 0).length;
}

describe('one merchant with 200 notifications to a hanging receiver', () => {
  it("does not hold back another merchant's notification, nor take more than its share", async () => {
    gw = await startGateway({
      env: {
        OPENKKA_NOTIFY_TIMEOUT: '2s',
        OPENKKA_JOBS_INTERVAL: '100ms',
        OPENKKA_NOTIFY_BACKOFF: '1h',
        // A small share, so that most of the 200 are still untried when the other one arrives.
        OPENKKA_NOTIFY_PER_MERCHANT: '8',
      },
    });
    gw.dispatcher.start(gw.config.jobsIntervalMs);
    const slow = await hanging();
    servers.push(slow);
    const other = await startReceiver();
    receivers.push(other);
    const a = await gw.createMerchant({ notifyUrl: slow.url });
    const b = await gw.createMerchant({ notifyUrl: other.url });

    await backlog(a, 200);
    await eventually('the hanging receiver holds its share', async () =>
      slow.open === gw!.config.notifyPerMerchant ? true : undefined,
    );
    const order = await b.client.payments.create(cardPayment());
    await other.waitFor((r) => r.some((x) => x.body?.order_id === order.order_id));

    // B's notification arrived while A's were still waiting, most of them never tried.
    expect(await untried(a)).toBeGreaterThan(100);
    expect(slow.received).toBeLessThan(200);
    expect(slow.mostOpen).toBeLessThanOrEqual(gw.config.notifyPerMerchant);
  });
});

describe('hanging merchants filling every slot', () => {
  it('give the first slot that frees to the merchant with none in flight', async () => {
    gw = await startGateway({
      env: {
        OPENKKA_NOTIFY_TIMEOUT: '2s',
        OPENKKA_JOBS_INTERVAL: '100ms',
        OPENKKA_NOTIFY_BACKOFF: '1h',
        OPENKKA_NOTIFY_CONCURRENCY: '6',
        OPENKKA_NOTIFY_PER_MERCHANT: '3',
      },
    });
    gw.dispatcher.start(gw.config.jobsIntervalMs);
    const slow = [await hanging(), await hanging()];
    servers.push(...slow);
    const other = await startReceiver();
    receivers.push(other);
    const [a1, a2] = [
      await gw.createMerchant({ notifyUrl: slow[0]!.url }),
      await gw.createMerchant({ notifyUrl: slow[1]!.url }),
    ];
    const b = await gw.createMerchant({ notifyUrl: other.url });

    await Promise.all([backlog(a1!, 30), backlog(a2!, 30)]);
    await eventually('every slot is taken by the hanging merchants', async () =>
      slow[0]!.open + slow[1]!.open === 6 ? true : undefined,
    );
    const order = await b.client.payments.create(cardPayment());
    await other.waitFor((r) => r.some((x) => x.body?.order_id === order.order_id));

    // It went ahead of both backlogs, which are older, when the first slot freed.
    expect(await untried(a1!)).toBeGreaterThan(0);
    expect(await untried(a2!)).toBeGreaterThan(0);
    expect(slow[0]!.mostOpen).toBeLessThanOrEqual(3);
    expect(slow[1]!.mostOpen).toBeLessThanOrEqual(3);
  });
});

describe('one receiving host shared by several merchants', () => {
  it('takes at most OPENKKA_NOTIFY_PER_HOST attempts at once, and the other hosts go on', async () => {
    gw = await startGateway({
      env: {
        OPENKKA_NOTIFY_TIMEOUT: '2s',
        OPENKKA_JOBS_INTERVAL: '100ms',
        OPENKKA_NOTIFY_BACKOFF: '1h',
        OPENKKA_NOTIFY_PER_HOST: '4',
      },
    });
    gw.dispatcher.start(gw.config.jobsIntervalMs);
    const shared = await hanging();
    servers.push(shared);
    const other = await startReceiver();
    receivers.push(other);
    const merchants = [];
    for (let i = 0; i < 3; i++) merchants.push(await gw.createMerchant({ notifyUrl: shared.url }));
    const b = await gw.createMerchant({ notifyUrl: other.url });

    await Promise.all(merchants.map((m) => backlog(m, 20)));
    await eventually('the shared host holds its share', async () => (shared.open === 4 ? true : undefined));
    const order = await b.client.payments.create(cardPayment());
    await other.waitFor((r) => r.some((x) => x.body?.order_id === order.order_id));

    expect(shared.mostOpen).toBe(4);
    expect(shared.received).toBeLessThan(60);
  });
});
