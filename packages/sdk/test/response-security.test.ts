import { beforeAll, describe, expect, it } from 'vitest';
import { OpenKKAApiError, OpenKKASignatureError } from '../src/index.ts';
import { type KeyPair, ok, orderData, type Reply, rsaKeyPair } from './fake-gateway.ts';
import { useFakeGateway } from './harness.ts';

const fake = useFakeGateway();
let rogue: KeyPair;

beforeAll(() => {
  rogue = rsaKeyPair();
});

async function clientFor(reply: Reply) {
  return (await fake.clientFor(() => reply)).client;
}

const query = { trans_id: 'T-1' };

describe('response signature', () => {
  it('rejects a body changed after signing, even though it parses as a success', async () => {
    const genuine = JSON.stringify(ok(orderData({ status: 'FAILURE' })).envelope);
    const forged = JSON.stringify(ok(orderData({ status: 'SUCCESS' })).envelope);
    const client = await clientFor({ rawBody: genuine, tamperedBody: forged });

    await expect(client.payments.query(query)).rejects.toBeInstanceOf(OpenKKASignatureError);
  });

  it('rejects a response without a signature header', async () => {
    const client = await clientFor({ ...ok(orderData()), signWith: null });
    await expect(client.payments.query(query)).rejects.toThrow(/no signature header/);
  });

  it('rejects a response without a timestamp header', async () => {
    const client = await clientFor({ ...ok(orderData()), omitTimestamp: true });
    await expect(client.payments.query(query)).rejects.toThrow(/no timestamp header/);
  });

  it('rejects a response signed by a key other than the platform key', async () => {
    const client = await clientFor({ ...ok(orderData()), signWith: rogue.privateKey });
    const error = await client.payments.query(query).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(OpenKKASignatureError);
    expect((error as OpenKKASignatureError).httpStatus).toBe(200);
  });

  it('checks the signature before reading a refusal, so a forged error is not believed', async () => {
    const client = await clientFor({
      status: 400,
      envelope: { ret_code: '010000', ret_msg: 'forged' },
      signWith: rogue.privateKey,
    });
    const error = await client.payments.query(query).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(OpenKKASignatureError);
    expect(error).not.toBeInstanceOf(OpenKKAApiError);
  });

  it('accepts a percent-encoded signature header with a Bearer prefix', async () => {
    const client = await clientFor({
      ...ok(orderData()),
      encodeSignature: (base64) => `Bearer ${encodeURIComponent(base64)}`,
    });
    const order = await client.payments.query(query);
    expect(order.order_id).toBe('GW1000001');
  });
});
