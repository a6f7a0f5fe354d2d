/**
 * The gateway accepts a v1.2 signature once (docs/signing.md#replay), and the same body signed
 * in the same millisecond has the same signature: the client signs a repeated body with a later
 * millisecond, and leaves every other body at the clock's time.
 */
import { describe, expect, it } from 'vitest';
import { DistinctTimestamps } from '../src/timestamps.ts';
import { ok, orderData, type Reply } from './fake-gateway.ts';
import { useFakeGateway } from './harness.ts';

const fake = useFakeGateway();
const NOW = 1_700_000_000_000;
const unavailable: Reply = { status: 503, envelope: { ret_code: '999999', ret_msg: 'unavailable' } };

describe('v1.2 timestamps on a clock that stands still', () => {
  it('give identical requests sent at once different signatures', async () => {
    const { client, gateway } = await fake.clientFor(() => ok(orderData()), { now: () => NOW });
    await Promise.all(Array.from({ length: 5 }, () => client.payments.query({ order_id: 'GW1000001' })));
    expect(gateway.received.every((r) => r.signatureValid)).toBe(true);
    expect(gateway.received.map((r) => r.body['timestamp']).sort()).toEqual([
      NOW,
      NOW + 1,
      NOW + 2,
      NOW + 3,
      NOW + 4,
    ]);
    expect(new Set(gateway.received.map((r) => r.headers['signature'])).size).toBe(5);
  });

  it('give a retry a signature of its own', async () => {
    const { client, gateway } = await fake.clientFor((_, i) => (i === 0 ? unavailable : ok(orderData())), {
      now: () => NOW,
    });
    await client.payments.query({ order_id: 'GW1000001' });
    expect(gateway.received.map((r) => r.body['timestamp'])).toEqual([NOW, NOW + 1]);
    expect(new Set(gateway.received.map((r) => r.headers['signature'])).size).toBe(2);
  });

  it('leave different bodies at the clock, however many share a millisecond', () => {
    const timestamps = new DistinctTimestamps(() => NOW);
    const sent = Array.from({ length: 3000 }, (_, i) => timestamps.next(`{"trans_id":"T-${i}"}`));
    expect(new Set(sent)).toEqual(new Set([NOW]));
    expect(timestamps.next('{"trans_id":"T-0"}')).toBe(NOW + 1);
  });
});
