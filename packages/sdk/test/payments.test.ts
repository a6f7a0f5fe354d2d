import { describe, expect, it } from 'vitest';
import { OpenKKAApiError, type OpenKKAOptions, type PaymentCreateParams } from '../src/index.ts';
import { ok, orderData, type Reply } from './fake-gateway.ts';
import { useFakeGateway } from './harness.ts';

const fake = useFakeGateway();

/** The keys go in as PEM text and the base URL with a trailing slash, as a config file gives them. */
async function clientFor(reply: () => Reply, options: Partial<OpenKKAOptions> = {}) {
  const gateway = await fake.start(reply);
  const { client } = fake.client(`${gateway.url}/`, {
    privateKey: fake.keys.merchant.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    platformPublicKey: fake.keys.platform.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    ...options,
  });
  return { client, gateway };
}

const purchase: PaymentCreateParams = {
  trans_id: 'T-1',
  payment_type: 'PURCHASE',
  currency: 'USD',
  amount: 1250,
  return_url: 'https://shop.example/return',
  payment: {
    payment_method: 'BANKCARD',
    card_no: '4242424242424242',
    exp_year: '2031',
    exp_month: '07',
    cvv: '123',
  },
};

describe('payments.create', () => {
  it('returns the order from data and sends a request the gateway can verify', async () => {
    const { client, gateway } = await clientFor(() => ok(orderData()));
    const order = await client.payments.create(purchase);

    expect(order.order_id).toBe('GW1000001');
    expect(order.status).toBe('SUCCESS');
    expect(order.balances.captured_amount).toBe(1250);
    const [request] = gateway.received;
    expect(request?.signatureValid).toBe(true);
    expect(request?.url).toBe('/apis/payments');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['type']).toBe('RSA256');
    expect(request?.headers['version']).toBe('v1.2');
  });

  it('puts merchant_id and the signed timestamp in the body, next to every param', async () => {
    const { client, gateway } = await clientFor(() => ok(orderData()), { now: () => 1_717_171_717_171 });
    await client.payments.create(purchase);

    const body = gateway.received[0]?.body;
    expect(body?.['merchant_id']).toBe('M100');
    expect(body?.['timestamp']).toBe(1_717_171_717_171);
    expect(body?.['trans_id']).toBe('T-1');
    expect(body?.['payment']).toEqual(purchase.payment);
    // The fake gateway verified over body.timestamp, so a valid signature proves they match.
    expect(gateway.received[0]?.signatureValid).toBe(true);
  });

  it('never lets params override merchant_id or timestamp, which must match the signature', async () => {
    const { client, gateway } = await clientFor(() => ok(orderData()), { now: () => 42 });
    const sneaky = { ...purchase, merchant_id: 'OTHER', timestamp: 1 } as PaymentCreateParams;
    await client.payments.create(sneaky);

    expect(gateway.received[0]?.body['merchant_id']).toBe('M100');
    expect(gateway.received[0]?.body['timestamp']).toBe(42);
    expect(gateway.received[0]?.signatureValid).toBe(true);
  });

  it('returns a declined card as a FAILURE order rather than throwing', async () => {
    const declined = orderData({ status: 'FAILURE', error_code: '2001', error_description: 'Declined' });
    const { client } = await clientFor(() => ok(declined));
    const order = await client.payments.create(purchase);

    expect(order.status).toBe('FAILURE');
    expect(order.error_code).toBe('2001');
  });

  it('throws OpenKKAApiError with ret_code, ret_msg and HTTP status on a refusal', async () => {
    const { client, gateway } = await clientFor(() => ({
      status: 400,
      envelope: { ret_code: '010000', ret_msg: 'currency is required' },
    }));
    const error = await client.payments.create(purchase).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(OpenKKAApiError);
    expect(error).toMatchObject({ retCode: '010000', retMsg: 'currency is required', httpStatus: 400 });
    expect((error as OpenKKAApiError).errorCode).toBeUndefined();
    expect(gateway.received).toHaveLength(1);
  });

  it('exposes data.error_code on a refusal that carries one', async () => {
    const { client } = await clientFor(() => ({
      status: 409,
      envelope: { ret_code: '300001', ret_msg: 'trans_id reused', data: { error_code: 'X1' } },
    }));
    await expect(client.payments.create(purchase)).rejects.toMatchObject({
      retCode: '300001',
      errorCode: 'X1',
    });
  });
});

describe('payments.query', () => {
  it('posts to /payments/query and honours an empty apiPrefix', async () => {
    const { client, gateway } = await clientFor(() => ok(orderData({ status: 'AUTHORIZED' })), {
      apiPrefix: '',
    });
    const order = await client.payments.query({ order_id: 'GW1000001' });

    expect(order.status).toBe('AUTHORIZED');
    expect(gateway.received[0]?.url).toBe('/payments/query');
    expect(gateway.received[0]?.body['order_id']).toBe('GW1000001');
    expect(gateway.received[0]?.signatureValid).toBe(true);
  });
});
