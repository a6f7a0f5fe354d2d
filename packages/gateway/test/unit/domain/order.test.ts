// The order state machine (docs/api.md#order-status-and-balances): random operation sequences checked step by step against
// the invariants, the status table and an independent model of the money; then one example per
// status-table row and per refusal.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApiError, type BusinessCodeName, type RequestCodeName } from '../../../src/domain/errors.ts';
import {
  type Amounts,
  authorize,
  balances,
  type CaptureMethod,
  type Change,
  capturable,
  capture,
  ORDER_STATUSES,
  type OrderState,
  type OrderStatus,
  refundable,
  settleRefund,
  startRefund,
  statusOf,
  voidCapturable,
  ZERO,
} from '../../../src/domain/order.ts';

const CURRENCY = 'EUR';
const OTHER_CURRENCY = 'USD';

type Order = OrderState & { currency: string };

// ---------------------------------------------------------------------------------------------
// Reference model: the money as the sum of what every accepted operation did.

type Outcome = 'pending' | 'approved' | 'declined';

interface Model {
  outcome: Outcome;
  authed: number;
  /** Σ accepted captures. */
  captures: number;
  /** Σ released to the shopper: voids, lapses, the remainder of final captures. */
  releases: number;
  /** Σ refunds that settled successfully. */
  refundsSettled: number;
  /** Refunds started and not yet settled, in the order they were started. */
  inFlight: number[];
}

const sum = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0);
const modelCapturable = (m: Model) => m.authed - m.captures - m.releases;
const modelRefundable = (m: Model) => m.captures - m.refundsSettled - sum(m.inFlight);

function modelAmounts(m: Model): Amounts {
  return {
    authed: m.authed,
    captured: m.captures,
    voided: m.releases,
    refunded: m.refundsSettled,
    refunding: sum(m.inFlight),
  };
}

/** As docs/api.md#order-status-and-balances says status table, one predicate per row over the history; exactly one must hold. */
function statusRows(m: Model): Record<OrderStatus, boolean> {
  const live = m.outcome === 'approved';
  const { captures: captured, releases: voided, refundsSettled: refunded } = m;
  const fullyRefunded = refunded > 0 && refunded === captured && modelCapturable(m) === 0;
  return {
    PROCESSING: m.outcome === 'pending',
    FAILURE: m.outcome === 'declined',
    AUTHORIZED: live && captured === 0 && voided === 0,
    SUCCESS: live && captured > 0 && voided === 0 && refunded === 0,
    CANCELED: live && voided > 0 && captured === 0 && refunded === 0,
    PARTIALLY_REVERSED: live && voided > 0 && captured > 0 && refunded === 0,
    REFUNDED: live && fullyRefunded,
    PARTIALLY_REFUNDED: live && refunded > 0 && !fullyRefunded,
  };
}

/** A cheap assertion for the hot loop: thousands of steps run through it. */
function ensure(ok: boolean, what: string, context?: unknown): asserts ok {
  if (!ok) throw new Error(context === undefined ? what : `${what}: ${JSON.stringify(context)}`);
}

const sameAmounts = (a: Amounts, b: Amounts) =>
  a.authed === b.authed &&
  a.captured === b.captured &&
  a.voided === b.voided &&
  a.refunded === b.refunded &&
  a.refunding === b.refunding;

function checkInvariants(order: Order, m: Model): void {
  const want = modelAmounts(m);
  ensure(sameAmounts(order.amounts, want), 'the state machine disagrees with the reference model', {
    state: order.amounts,
    model: want,
  });
  const b = balances(order.amounts);
  const context = { status: order.status, balances: b };
  ensure(
    b.authed_amount === b.captured_amount + b.voided_amount + b.able_to_capture_amount,
    'authed = captured + voided + able_to_capture',
    context,
  );
  ensure(b.able_to_void_amount === b.able_to_capture_amount, 'able_to_void = able_to_capture', context);
  ensure(
    b.refunded_amount + b.refunding_amount <= b.captured_amount,
    'refunded + refunding ≤ captured',
    context,
  );
  ensure(
    b.able_to_refund_amount === b.captured_amount - b.refunded_amount - b.refunding_amount,
    'able_to_refund = captured − refunded − refunding',
    context,
  );
  const values = Object.values(b);
  ensure(
    values.every((v) => Number.isSafeInteger(v) && v >= 0),
    'every balance is a non-negative integer',
    context,
  );
  if (order.status === 'PROCESSING' || order.status === 'FAILURE') {
    ensure(
      values.every((v) => v === 0),
      'a PROCESSING or FAILURE order has every balance 0',
      context,
    );
  }
  ensure(
    b.able_to_capture_amount === capturable(order.amounts),
    'capturable() agrees with balances()',
    context,
  );
  ensure(
    b.able_to_refund_amount === refundable(order.amounts),
    'refundable() agrees with balances()',
    context,
  );

  const rows = statusRows(m);
  const holds = ORDER_STATUSES.filter((s) => rows[s]);
  ensure(holds.length === 1 && holds[0] === order.status, 'status follows the §6 table', {
    status: order.status,
    table: holds,
    model: m,
  });
  if (m.outcome === 'approved')
    ensure(statusOf(order.amounts) === order.status, 'statusOf() agrees', context);
}

// ---------------------------------------------------------------------------------------------
// Operations, generated without knowing the state; amounts are resolved against it when applied,
// so "exactly what is left" and "just over it" come up often.

type AmountPick =
  | { to: 'all' }
  | { to: 'part'; fraction: number }
  | { to: 'over'; by: number }
  | { to: 'any'; amount: number };

type Op =
  | { op: 'capture'; pick: AmountPick; final: boolean; currency: string }
  | { op: 'void' }
  | { op: 'expire' }
  | { op: 'refund'; pick: AmountPick; currency: string }
  | { op: 'settle'; which: number; succeeded: boolean }
  | { op: 'overSettle'; by: number };

const amountPick: fc.Arbitrary<AmountPick> = fc.oneof(
  fc.constant({ to: 'all' as const }),
  fc.record({ to: fc.constant('part' as const), fraction: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ to: fc.constant('over' as const), by: fc.integer({ min: 1, max: 1000 }) }),
  fc.record({ to: fc.constant('any' as const), amount: fc.integer({ min: 1, max: 1_000_000 }) }),
);

function resolve(pick: AmountPick, room: number): number {
  switch (pick.to) {
    case 'all':
      return Math.max(1, room);
    case 'part':
      return Math.max(1, Math.floor(room * pick.fraction));
    case 'over':
      return room + pick.by;
    case 'any':
      return pick.amount;
  }
}

const currency = fc.oneof(
  { weight: 6, arbitrary: fc.constant(CURRENCY) },
  { weight: 1, arbitrary: fc.constant(OTHER_CURRENCY) },
);

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant('capture' as const),
      pick: amountPick,
      final: fc.boolean(),
      currency,
    }),
  },
  { weight: 1, arbitrary: fc.constant({ op: 'void' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'expire' as const }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('refund' as const), pick: amountPick, currency }) },
  {
    weight: 4,
    arbitrary: fc.record({ op: fc.constant('settle' as const), which: fc.nat(), succeeded: fc.boolean() }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('overSettle' as const), by: fc.integer({ min: 1, max: 10 }) }),
  },
);

const DECLINES: BusinessCodeName[] = ['DECLINED', 'INSUFFICIENT_FUNDS', 'EXPIRED_CARD', 'INCORRECT_CVV'];

const setup = fc.record({
  amount: fc.oneof(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 1_000_000 })),
  captureMethod: fc.constantFrom<CaptureMethod>('AUTOMATIC', 'MANUAL'),
  outcome: fc.oneof(
    { weight: 8, arbitrary: fc.constant<Outcome>('approved') },
    { weight: 1, arbitrary: fc.constant<Outcome>('declined') },
    { weight: 1, arbitrary: fc.constant<Outcome>('pending') },
  ),
  reason: fc.constantFrom(...DECLINES),
});

// ---------------------------------------------------------------------------------------------
// Applying one operation to both the state machine and the model.

interface Expected {
  /** Every refusal that applies; empty means the operation must succeed. */
  refusals: RequestCodeName[];
  /** The model after success, and what the Change must report. */
  model: Model;
  moved: number;
  released: number;
}

/** What the sequences reached, so a generator that stopped exploring would fail loudly. */
const reached = { statuses: new Set<OrderStatus>(), refusals: new Set<RequestCodeName>() };

function freeze(order: Order): Order {
  Object.freeze(order.amounts);
  return Object.freeze(order);
}

function apply(order: Order, m: Model, o: Op): { order: Order; model: Model } {
  const live = m.outcome === 'approved';
  const room = modelCapturable(m);
  let call: (order: Order) => Change;
  let expected: Expected;

  switch (o.op) {
    case 'capture': {
      const amount = resolve(o.pick, room);
      const refusals: RequestCodeName[] = [];
      if (!live || room === 0) refusals.push('ORDER_NOT_CAPTURABLE');
      if (o.currency !== CURRENCY) refusals.push('CURRENCY_MISMATCH');
      if (amount > room) refusals.push('CAPTURE_AMOUNT_EXCEEDED');
      const released = o.final ? room - amount : 0;
      call = (x) => capture(x, { amount, currency: o.currency, final: o.final });
      expected = {
        refusals,
        model: { ...m, captures: m.captures + amount, releases: m.releases + released },
        moved: amount,
        released,
      };
      break;
    }
    case 'void':
    case 'expire': {
      call = (x) => voidCapturable(x);
      expected = {
        refusals: !live || room === 0 ? ['ORDER_NOT_VOIDABLE'] : [],
        model: { ...m, releases: m.releases + room },
        moved: room,
        released: room,
      };
      break;
    }
    case 'refund': {
      const left = modelRefundable(m);
      const amount = resolve(o.pick, left);
      const refusals: RequestCodeName[] = [];
      if (!live || m.captures === 0) refusals.push('ORDER_NOT_REFUNDABLE');
      if (o.currency !== CURRENCY) refusals.push('CURRENCY_MISMATCH');
      if (amount > left) refusals.push('REFUND_AMOUNT_EXCEEDED');
      call = (x) => startRefund(x, { amount, currency: o.currency });
      expected = { refusals, model: { ...m, inFlight: [...m.inFlight, amount] }, moved: amount, released: 0 };
      break;
    }
    case 'settle': {
      if (m.inFlight.length === 0) return { order, model: m };
      const i = o.which % m.inFlight.length;
      const amount = m.inFlight[i]!;
      const inFlight = m.inFlight.filter((_, j) => j !== i);
      call = (x) => settleRefund(x, amount, o.succeeded);
      expected = {
        refusals: [],
        model: { ...m, inFlight, refundsSettled: m.refundsSettled + (o.succeeded ? amount : 0) },
        moved: o.succeeded ? amount : 0,
        released: 0,
      };
      break;
    }
    case 'overSettle': {
      // Settling more than is in flight is a programming error, not a client refusal.
      const amount = sum(m.inFlight) + o.by;
      call = (x) => settleRefund(x, amount, true);
      expected = { refusals: [], model: m, moved: 0, released: 0 };
      break;
    }
  }

  const snapshot = JSON.stringify(order);
  let result: Change | undefined;
  let error: unknown;
  try {
    // Frozen, so a write to the input would throw here (ES modules are strict).
    result = call(freeze(order));
  } catch (e) {
    error = e;
  }
  ensure(JSON.stringify(order) === snapshot, 'the input state is never changed', { op: o, before: snapshot });

  if (o.op === 'overSettle') {
    ensure(
      error instanceof Error && !(error instanceof ApiError) && /exceeds refunding/.test(error.message),
      'settling more than is refunding throws',
      { op: o, result },
    );
    return { order, model: m };
  }
  if (expected.refusals.length > 0) {
    ensure(error instanceof ApiError, 'should be refused with an ApiError', {
      op: o,
      order,
      result,
      error: String(error),
    });
    ensure(expected.refusals.includes(error.kind), `refused with ${error.kind}`, {
      op: o,
      order,
      expected: expected.refusals,
    });
    reached.refusals.add(error.kind);
    // A refusal changes nothing: the caller keeps the state it had.
    return { order, model: m };
  }
  if (error !== undefined) throw error;
  ensure(result !== undefined, 'a result');
  ensure(result.moved === expected.moved && result.released === expected.released, 'moved/released', {
    op: o,
    got: { moved: result.moved, released: result.released },
    want: { moved: expected.moved, released: expected.released },
  });
  return {
    order: { status: result.status, amounts: result.amounts, currency: order.currency },
    model: expected.model,
  };
}

function start(s: {
  amount: number;
  captureMethod: CaptureMethod;
  outcome: Outcome;
  reason: BusinessCodeName;
}): { order: Order; model: Model } {
  const pending: Order = { status: 'PROCESSING', amounts: { ...ZERO }, currency: CURRENCY };
  const none: Model = {
    outcome: 'pending',
    authed: 0,
    captures: 0,
    releases: 0,
    refundsSettled: 0,
    inFlight: [],
  };
  if (s.outcome === 'pending') return { order: pending, model: none };
  const next = authorize(
    { ...pending, amount: s.amount, captureMethod: s.captureMethod },
    s.outcome === 'approved' ? { approved: true } : { approved: false, reason: s.reason },
  );
  const order = { ...next, currency: CURRENCY };
  if (s.outcome === 'declined') return { order, model: { ...none, outcome: 'declined' } };
  const automatic = s.captureMethod === 'AUTOMATIC';
  return {
    order,
    model: { ...none, outcome: 'approved', authed: s.amount, captures: automatic ? s.amount : 0 },
  };
}

describe('order state machine, random operation sequences', () => {
  it('keeps every §6 invariant, the status table and the reference model after each step', () => {
    fc.assert(
      fc.property(setup, fc.array(op, { maxLength: 30, size: 'max' }), (s, ops) => {
        let { order, model } = start(s);
        checkInvariants(order, model);
        reached.statuses.add(order.status);
        const authed = order.amounts.authed;
        for (const o of ops) {
          const next = apply(order, model, o);
          checkInvariants(next.order, next.model);
          reached.statuses.add(next.order.status);
          // Money only ever moves forward; the authorization is fixed once decided.
          const [a, b] = [order.amounts, next.order.amounts];
          const step = { op: o, before: order, after: next.order };
          ensure(b.authed === authed, 'authed never changes after authorization', step);
          ensure(b.captured >= a.captured, 'captured never decreases', step);
          ensure(b.voided >= a.voided, 'voided never decreases', step);
          ensure(b.refunded >= a.refunded, 'refunded never decreases', step);
          // An order never goes back to waiting for, or to the outcome of, its authorization.
          const [was, now] = [order.status, next.order.status];
          ensure(was === 'PROCESSING' || now !== 'PROCESSING', 'never back to PROCESSING', step);
          ensure(was === now || now !== 'AUTHORIZED', 'never back to AUTHORIZED', step);
          ensure(was !== 'FAILURE' || now === 'FAILURE', 'FAILURE is final', step);
          order = next.order;
          model = next.model;
        }
      }),
      { numRuns: 1000 },
    );
    expect([...reached.statuses].sort()).toEqual([...ORDER_STATUSES].sort());
    expect([...reached.refusals].sort()).toEqual([
      'CAPTURE_AMOUNT_EXCEEDED',
      'CURRENCY_MISMATCH',
      'ORDER_NOT_CAPTURABLE',
      'ORDER_NOT_REFUNDABLE',
      'ORDER_NOT_VOIDABLE',
      'REFUND_AMOUNT_EXCEEDED',
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// Targeted examples.

const processing = (): Order => ({ status: 'PROCESSING', amounts: { ...ZERO }, currency: CURRENCY });

function authorized(amount: number, captureMethod: CaptureMethod = 'MANUAL'): Order {
  const next = authorize({ ...processing(), amount, captureMethod }, { approved: true });
  return { ...next, currency: CURRENCY };
}

function declined(amount = 1000): Order {
  const next = authorize(
    { ...processing(), amount, captureMethod: 'MANUAL' },
    { approved: false, reason: 'DECLINED' },
  );
  return { ...next, currency: CURRENCY };
}

const adopt = (order: Order, change: Change): Order => ({
  status: change.status,
  amounts: change.amounts,
  currency: order.currency,
});
const cap = (o: Order, amount: number, final = true) =>
  adopt(o, capture(o, { amount, currency: CURRENCY, final }));
const voided = (o: Order) => adopt(o, voidCapturable(o));
const refund = (o: Order, amount: number) => adopt(o, startRefund(o, { amount, currency: CURRENCY }));
const settle = (o: Order, amount: number, succeeded: boolean) => adopt(o, settleRefund(o, amount, succeeded));
const refundNow = (o: Order, amount: number) => settle(refund(o, amount), amount, true);

function refusal(fn: () => unknown): RequestCodeName {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return e.kind;
    throw e;
  }
  throw new Error('expected a refusal, but the operation succeeded');
}

const bal = (o: Order) => balances(o.amounts);

describe('order status table (docs/api.md#order-status-and-balances)', () => {
  it('PROCESSING while waiting, with every balance 0', () => {
    const o = processing();
    expect(o.status).toBe('PROCESSING');
    expect(Object.values(bal(o)).every((v) => v === 0)).toBe(true);
  });

  it('FAILURE when declined, with every balance 0', () => {
    const o = declined();
    expect(o.status).toBe('FAILURE');
    expect(Object.values(bal(o)).every((v) => v === 0)).toBe(true);
  });

  it('AUTHORIZED when approved with MANUAL capture and nothing captured', () => {
    const o = authorized(1000);
    expect(o.status).toBe('AUTHORIZED');
    expect(bal(o)).toMatchObject({
      authed_amount: 1000,
      able_to_capture_amount: 1000,
      able_to_void_amount: 1000,
    });
  });

  it('SUCCESS when approved with AUTOMATIC capture, captured in full', () => {
    const o = authorized(1000, 'AUTOMATIC');
    expect(o.status).toBe('SUCCESS');
    expect(bal(o)).toMatchObject({
      captured_amount: 1000,
      able_to_capture_amount: 0,
      able_to_refund_amount: 1000,
    });
  });

  it('SUCCESS after partial captures with more still capturable', () => {
    const o = cap(cap(authorized(1000), 200, false), 300, false);
    expect(o.status).toBe('SUCCESS');
    expect(bal(o)).toMatchObject({ captured_amount: 500, able_to_capture_amount: 500, voided_amount: 0 });
  });

  it('CANCELED on a void before any capture, and on a lapse with nothing captured', () => {
    const o = voided(authorized(1000));
    expect(o.status).toBe('CANCELED');
    expect(bal(o)).toMatchObject({ voided_amount: 1000, able_to_capture_amount: 0, able_to_void_amount: 0 });
    // A lapse is the same release, done by the clock.
    expect(adopt(authorized(700), voidCapturable(authorized(700))).status).toBe('CANCELED');
  });

  it('PARTIALLY_REVERSED when part is captured and the rest released (void, lapse, final capture)', () => {
    expect(voided(cap(authorized(1000), 400, false)).status).toBe('PARTIALLY_REVERSED');
    const o = cap(authorized(1000), 400, true);
    expect(o.status).toBe('PARTIALLY_REVERSED');
    expect(bal(o)).toMatchObject({ captured_amount: 400, voided_amount: 600, able_to_capture_amount: 0 });
  });

  it('PARTIALLY_REFUNDED when some is refunded; a refund still in flight does not count', () => {
    const inFlight = refund(authorized(1000, 'AUTOMATIC'), 300);
    expect(inFlight.status).toBe('SUCCESS');
    expect(bal(inFlight)).toMatchObject({
      refunding_amount: 300,
      refunded_amount: 0,
      able_to_refund_amount: 700,
    });
    const done = settle(inFlight, 300, true);
    expect(done.status).toBe('PARTIALLY_REFUNDED');
    expect(bal(done)).toMatchObject({
      refunding_amount: 0,
      refunded_amount: 300,
      able_to_refund_amount: 700,
    });
  });

  it('PARTIALLY_REFUNDED, not REFUNDED, while something is still capturable', () => {
    const o = refundNow(cap(authorized(1000), 400, false), 400);
    expect(bal(o)).toMatchObject({ refunded_amount: 400, captured_amount: 400, able_to_capture_amount: 600 });
    expect(o.status).toBe('PARTIALLY_REFUNDED');
  });

  it('REFUNDED when refunded == captured and nothing is left to capture', () => {
    expect(refundNow(refundNow(authorized(1000, 'AUTOMATIC'), 400), 600).status).toBe('REFUNDED');
    // Also after a partial reversal: only what was captured needs refunding.
    const o = refundNow(cap(authorized(1000), 400, true), 400);
    expect(o.status).toBe('REFUNDED');
    expect(bal(o)).toMatchObject({ voided_amount: 600, refunded_amount: 400, able_to_refund_amount: 0 });
  });
});

describe('order refusals and transitions', () => {
  it('refuses a capture on FAILURE, PROCESSING and CANCELED orders', () => {
    for (const o of [declined(), processing(), voided(authorized(1000))]) {
      expect(refusal(() => capture(o, { amount: 1, currency: CURRENCY, final: true }))).toBe(
        'ORDER_NOT_CAPTURABLE',
      );
    }
  });

  it('refuses a capture above able_to_capture and one in another currency', () => {
    const o = cap(authorized(1000), 300, false);
    expect(refusal(() => capture(o, { amount: 701, currency: CURRENCY, final: true }))).toBe(
      'CAPTURE_AMOUNT_EXCEEDED',
    );
    expect(refusal(() => capture(o, { amount: 1, currency: OTHER_CURRENCY, final: true }))).toBe(
      'CURRENCY_MISMATCH',
    );
    expect(cap(o, 700).status).toBe('SUCCESS');
  });

  it('refuses a void after a full capture, after a void, and on FAILURE or PROCESSING', () => {
    for (const o of [cap(authorized(1000), 1000), authorized(1000, 'AUTOMATIC'), voided(authorized(1000))]) {
      expect(refusal(() => voidCapturable(o))).toBe('ORDER_NOT_VOIDABLE');
    }
    expect(refusal(() => voidCapturable(declined()))).toBe('ORDER_NOT_VOIDABLE');
    expect(refusal(() => voidCapturable(processing()))).toBe('ORDER_NOT_VOIDABLE');
  });

  it('refuses a refund above able_to_refund, counting refunds in flight', () => {
    const o = refund(authorized(1000, 'AUTOMATIC'), 600);
    expect(refusal(() => startRefund(o, { amount: 401, currency: CURRENCY }))).toBe('REFUND_AMOUNT_EXCEEDED');
    expect(bal(refund(o, 400))).toMatchObject({ refunding_amount: 1000, able_to_refund_amount: 0 });
    expect(refusal(() => startRefund(o, { amount: 1, currency: OTHER_CURRENCY }))).toBe('CURRENCY_MISMATCH');
  });

  it('refuses a refund of an order that never captured anything', () => {
    for (const o of [authorized(1000), voided(authorized(1000)), declined(), processing()]) {
      expect(refusal(() => startRefund(o, { amount: 1, currency: CURRENCY }))).toBe('ORDER_NOT_REFUNDABLE');
    }
  });

  it('a partial capture (final=false) then a smaller final capture leaves PARTIALLY_REVERSED', () => {
    const first = cap(authorized(1000), 300, false);
    expect(first.status).toBe('SUCCESS');
    const change = capture(first, { amount: 200, currency: CURRENCY, final: true });
    expect({ moved: change.moved, released: change.released }).toEqual({ moved: 200, released: 500 });
    const o = adopt(first, change);
    expect(o.status).toBe('PARTIALLY_REVERSED');
    expect(bal(o)).toEqual({
      authed_amount: 1000,
      captured_amount: 500,
      able_to_capture_amount: 0,
      voided_amount: 500,
      able_to_void_amount: 0,
      refunded_amount: 0,
      able_to_refund_amount: 500,
      refunding_amount: 0,
    });
    expect(refusal(() => capture(o, { amount: 1, currency: CURRENCY, final: true }))).toBe(
      'ORDER_NOT_CAPTURABLE',
    );
  });

  it('a failed refund makes its amount refundable again', () => {
    const full = refund(authorized(1000, 'AUTOMATIC'), 1000);
    expect(bal(full).able_to_refund_amount).toBe(0);
    const failed = settle(full, 1000, false);
    expect(failed.status).toBe('SUCCESS');
    expect(bal(failed)).toMatchObject({
      refunding_amount: 0,
      refunded_amount: 0,
      able_to_refund_amount: 1000,
    });
    expect(refundNow(failed, 1000).status).toBe('REFUNDED');
  });

  it('settling more than is refunding throws', () => {
    const o = refund(authorized(1000, 'AUTOMATIC'), 300);
    expect(() => settleRefund(o, 301, true)).toThrow(/exceeds refunding_amount 300/);
    expect(() => settleRefund(authorized(1000, 'AUTOMATIC'), 1, false)).toThrow();
  });

  it('records an authorization only once', () => {
    const o = authorized(1000);
    expect(() => authorize({ ...o, amount: 1000, captureMethod: 'MANUAL' }, { approved: true })).toThrow(
      /AUTHORIZED/,
    );
  });
});
