import { describe, expect, it } from 'vitest';
import { type CheckoutSession, OpenKKAApiError, type SessionCreateParams } from '../src/index.ts';
import { ok, orderData } from './fake-gateway.ts';
import { useFakeGateway } from './harness.ts';

const fake = useFakeGateway();

const params: SessionCreateParams = {
  trans_id: 'cart-42',
  currency: 'EUR',
  amount: 4250,
  return_url: 'https://shop.example/return',
  cancel_url: 'https://shop.example/cart',
  display_locale: 'zh-CN',
  allowed_payment_methods: ['BANKCARD', 'iDEAL'],
};

const session: CheckoutSession = {
  timestamp: 1_700_000_000_000,
  merchant_id: 'M100',
  trans_id: 'cart-42',
  session_id: 'CS12345678901234567890',
  session_url: 'https://pay.example/checkout/CS12345678901234567890',
  session_mode: 'HOSTED',
  status: 'OPEN',
  payment_type: 'PURCHASE',
  authorisation_type: 'FINAL_AUTH',
  capture_method: 'AUTOMATIC',
  amount: 4250,
  currency: 'EUR',
  expire_time: '2023-11-14T23:13:20+00:00',
  return_url: 'https://shop.example/return',
  allowed_payment_methods: ['BANKCARD', 'IDEAL'],
};

describe('sessions.create', () => {
  it('posts to /apis/payments/session with session_mode HOSTED and returns the session', async () => {
    const { client, gateway } = await fake.clientFor(() => ok(session));
    const created = await client.sessions.create(params);

    expect(created).toEqual(session);
    const [request] = gateway.received;
    expect(request!.url).toBe('/apis/payments/session');
    expect(request!.signatureValid).toBe(true);
    expect(request!.body).toMatchObject({ ...params, session_mode: 'HOSTED', merchant_id: 'M100' });
  });

  it('throws OpenKKAApiError on a refusal, such as a trans_id reused with another amount', async () => {
    const { client } = await fake.clientFor(() => ({
      status: 409,
      envelope: { ret_code: '300001', ret_msg: 'trans_id was already used with different parameters' },
    }));
    const error = await client.sessions.create(params).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(OpenKKAApiError);
    expect(error).toMatchObject({ retCode: '300001', httpStatus: 409 });
  });
});

describe('sessions.query', () => {
  it('posts session_id to /apis/payments/session/query', async () => {
    const paid = { ...session, status: 'COMPLETED', order_id: 'GW1', order_status: 'SUCCESS' };
    const { client, gateway } = await fake.clientFor(() => ok(paid));
    expect(await client.sessions.query({ session_id: session.session_id })).toEqual(paid);
    expect(gateway.received[0]!.url).toBe('/apis/payments/session/query');
    expect(gateway.received[0]!.body['session_id']).toBe(session.session_id);
  });

  it('throws 206011 for an unknown session', async () => {
    const { client } = await fake.clientFor(() => ({
      status: 404,
      envelope: { ret_code: '206011', ret_msg: 'The session does not exist' },
    }));
    await expect(client.sessions.query({ trans_id: 'nope' })).rejects.toMatchObject({
      retCode: '206011',
      httpStatus: 404,
    });
  });
});

describe('payments.query by session_id', () => {
  it('posts session_id to /apis/payments/query and returns the order', async () => {
    const { client, gateway } = await fake.clientFor(() => ok(orderData({ session_id: session.session_id })));
    const order = await client.payments.query({ session_id: session.session_id });
    expect(order.session_id).toBe(session.session_id);
    expect(gateway.received[0]!.url).toBe('/apis/payments/query');
    expect(gateway.received[0]!.body).toMatchObject({ session_id: session.session_id });
  });
});
