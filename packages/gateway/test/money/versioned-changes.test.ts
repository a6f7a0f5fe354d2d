/**
 * On PostgreSQL a change is written only if its order is still the row it was decided on
 * (core/orders/versioned-changes.ts). Here someone else changes the order between the read and
 * the write, through another connection: the change must be decided again on the new row and
 * written once, never on the stale one; and an order that keeps changing is changed under a
 * lock in the end. PostgreSQL only (vitest.config.ts): on SQLite the group commit is the lock.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChangeWriter } from '../../src/core/orders/change-writer.ts';
import type { OrderRow } from '../../src/core/orders/order-row.ts';
import type { Plan } from '../../src/core/orders/plan.ts';
import { systemClock } from '../../src/domain/clock.ts';
import { startGateway, type TestGateway } from '../helpers/gateway.ts';
import { events, MoneyApi } from '../helpers/money.ts';

let gw: TestGateway;
let api: MoneyApi;
let merchantId: string;

beforeAll(async () => {
  gw = await startGateway();
  const merchant = await gw.createMerchant();
  api = new MoneyApi(gw, merchant);
  merchantId = merchant.merchantId;
});
afterAll(() => gw.close());

/** Captures `amount` more, deciding from the row it is given; records each row it saw. */
function captureOf(amount: number, seen: OrderRow[]) {
  return (row: OrderRow): Plan<number> => {
    seen.push(row);
    const captured = row.captured_amount + amount;
    return {
      steps: [{ changes: { ...row, captured_amount: captured }, event: { type: 'CAPTURE', amount } }],
      result: captured,
    };
  };
}

/** Someone else's capture of `amount`, written straight to the row (it changes its version). */
async function captureElsewhere(orderId: string, amount: number): Promise<void> {
  await sql`update orders set captured_amount = captured_amount + ${amount} where order_id = ${orderId}`.execute(
    gw.runtime.store.writer,
  );
}

/** Read from the row: the plans here change balances only, not the status the API derives. */
async function capturedOf(orderId: string): Promise<number> {
  const { rows } = await sql<{ captured: string }>`
    select captured_amount as captured from orders where order_id = ${orderId}`.execute(
    gw.runtime.store.writer,
  );
  return Number(rows[0]?.captured);
}

/**
 * A capture of 100 on a new order of 1000, while someone else captures `elsewhere[k]` between
 * the read and the write of the k-th try. Answers what the capture saw and its outcome.
 */
async function captureRacing(elsewhere: number[]) {
  const order = await api.authorized(1000);
  const writer = new ChangeWriter(gw.runtime.store, systemClock);
  const seen: OrderRow[] = [];
  let tries = 0;
  const outcome = await writer.run({
    merchantId,
    orderId: order.order_id,
    plan: captureOf(100, seen),
    notify: async () => {
      const amount = elsewhere[tries++];
      if (amount) await captureElsewhere(order.order_id, amount);
      return null;
    },
  });
  const types = (await events(gw, order.order_id)).map((e) => e.type);
  return {
    seen: seen.map((row) => row.captured_amount),
    outcome,
    types,
    captured: await capturedOf(order.order_id),
  };
}

describe('a change whose order changed after it was read', () => {
  it('is decided again on the new row and written once', async () => {
    const race = await captureRacing([300]);
    expect(race.seen).toEqual([0, 300]);
    expect(race.outcome !== 'taken' && race.outcome.result).toBe(400);
    expect(race.captured).toBe(400);
    // One CAPTURE event: the first decision wrote nothing.
    expect(race.types).toEqual(['AUTHORIZATION', 'CAPTURE']);
  });

  it('is changed under a lock when its order keeps changing', async () => {
    // Every versioned try loses its race; the locked one holds the row, so none is made then.
    const race = await captureRacing([10, 10, 10]);
    expect(race.seen).toEqual([0, 10, 20, 30]);
    expect(race.outcome !== 'taken' && race.outcome.result).toBe(130);
    expect(race.captured).toBe(130);
    expect(race.types).toEqual(['AUTHORIZATION', 'CAPTURE']);
  });

  it('writes the unchanged orders of its batch and decides again only the changed one', async () => {
    const [a, b] = await Promise.all([api.authorized(1000), api.authorized(1000)]);
    const writer = new ChangeWriter(gw.runtime.store, systemClock);
    const seenA: OrderRow[] = [];
    const seenB: OrderRow[] = [];
    let notified = 0;
    const notify = async () => {
      if (notified++ === 0) await captureElsewhere(a!.order_id, 50);
      return null;
    };
    // Asked in one turn: one batch, one read of both orders.
    const [outA, outB] = await Promise.all([
      writer.run({ merchantId, orderId: a!.order_id, plan: captureOf(100, seenA), notify }),
      writer.run({ merchantId, orderId: b!.order_id, plan: captureOf(100, seenB), notify }),
    ]);
    expect(seenA.map((row) => row.captured_amount)).toEqual([0, 50]);
    expect(seenB.map((row) => row.captured_amount)).toEqual([0]);
    expect(outA !== 'taken' && outA.result).toBe(150);
    expect(outB !== 'taken' && outB.result).toBe(100);
    expect([await capturedOf(a!.order_id), await capturedOf(b!.order_id)]).toEqual([150, 100]);
  });
});
