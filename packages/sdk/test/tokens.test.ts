import { describe, expect, it } from 'vitest';
import {
  type FirstRecurringParams,
  OpenKKAApiError,
  OpenKKAConnectionError,
  type OpenKKAOptions,
  type Token,
} from '../src/index.ts';
import { ok, orderData, type Reply } from './fake-gateway.ts';
import { type Replier, useFakeGateway } from './harness.ts';

const fake = useFakeGateway();
const NOW = 1_717_171_717_171;
const clientFor = (reply: Replier, options: Partial<OpenKKAOptions> = {}) =>
  fake.clientFor(reply, { now: () => NOW, ...options });

/** An answer with no `data`, as token remove and recurring cancel give. */
const done: Reply = { envelope: { ret_code: '000000', ret_msg: 'Success' } };
const unavailable: Reply = { status: 503, envelope: { ret_code: '999999', ret_msg: 'System error' } };
const limited: Reply = { status: 429, envelope: { ret_code: '300009', ret_msg: 'slow down' } };

const visaToken: Token = {
  token: 'TK12345678901234567890',
  token_usage: 'SUBSCRIPTION',
  payment_method: 'BANKCARD',
  status: 'ACTIVATE',
  shopper_reference: 'shopper-7',
  card_info: { bin: '424242', last4: '4242', card_brand: 'VISA', exp_month: '07', exp_year: '2031' },
};

async function refusal(call: Promise<unknown>): Promise<OpenKKAApiError> {
  const error = await call.then(
    () => {
      throw new Error('expected a refusal');
    },
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(OpenKKAApiError);
  return error as OpenKKAApiError;
}

describe('tokens.query', () => {
  it('posts shopper_reference to /apis/payments/token/query and returns the array', async () => {
    const { client, gateway } = await clientFor(() => ok([visaToken]));
    const tokens = await client.tokens.query({ shopper_reference: 'shopper-7' });
    expect(tokens).toEqual([visaToken]);
    const [request] = gateway.received;
    expect(request!.url).toBe('/apis/payments/token/query');
    expect(request!.signatureValid).toBe(true);
    expect(request!.body).toEqual({ merchant_id: 'M100', shopper_reference: 'shopper-7', timestamp: NOW });
  });

  it('resolves with an empty array for a shopper without tokens', async () => {
    const { client } = await clientFor(() => ok([]));
    expect(await client.tokens.query({ shopper_reference: 'nobody' })).toEqual([]);
  });

  it('uses the bare path with apiPrefix ""', async () => {
    const { client, gateway } = await clientFor(() => ok([]), { apiPrefix: '' });
    await client.tokens.query({ shopper_reference: 'shopper-7' });
    expect(gateway.received[0]!.url).toBe('/payments/token/query');
  });

  it('is retried after a 503 like any query (it changes nothing)', async () => {
    const { client, gateway } = await clientFor((_r, i) => (i === 0 ? unavailable : ok([visaToken])));
    expect(await client.tokens.query({ shopper_reference: 'shopper-7' })).toEqual([visaToken]);
    expect(gateway.received).toHaveLength(2);
  });
});

describe('tokens.remove', () => {
  it('posts token and shopper_reference to /apis/payments/token/remove and resolves with nothing', async () => {
    const { client, gateway } = await clientFor(() => done);
    const result = await client.tokens.remove({ token: visaToken.token, shopper_reference: 'shopper-7' });
    expect(result).toBeUndefined();
    const [request] = gateway.received;
    expect(request!.url).toBe('/apis/payments/token/remove');
    expect(request!.signatureValid).toBe(true);
    expect(request!.body).toEqual({
      merchant_id: 'M100',
      token: visaToken.token,
      shopper_reference: 'shopper-7',
      timestamp: NOW,
    });
  });

  it('throws OpenKKAApiError 300030 (HTTP 404) for a token the shopper does not have', async () => {
    const { client } = await clientFor(() => ({
      status: 404,
      envelope: { ret_code: '300030', ret_msg: 'Token does not exist for this shopper' },
    }));
    const error = await refusal(client.tokens.remove({ token: 'TK0', shopper_reference: 'shopper-7' }));
    expect({ retCode: error.retCode, httpStatus: error.httpStatus }).toEqual({
      retCode: '300030',
      httpStatus: 404,
    });
  });

  it('is not repeated after a 503: a repeat of a removal that arrived would answer 300030', async () => {
    const { client, gateway } = await clientFor(() => unavailable);
    const error = await refusal(client.tokens.remove({ token: 'TK1', shopper_reference: 'shopper-7' }));
    expect(error.httpStatus).toBe(503);
    expect(gateway.received).toHaveLength(1);
  });

  it('is not repeated after a connection error', async () => {
    let attempts = 0;
    const { client } = fake.client('http://127.0.0.1:9', {
      fetch: async () => {
        attempts++;
        throw new TypeError('fetch failed');
      },
    });
    await expect(client.tokens.remove({ token: 'TK1', shopper_reference: 's' })).rejects.toBeInstanceOf(
      OpenKKAConnectionError,
    );
    expect(attempts).toBe(1);
  });

  it('is repeated after a 429, which was not processed', async () => {
    const { client, gateway } = await clientFor((_r, i) => (i === 0 ? limited : done));
    await client.tokens.remove({ token: 'TK1', shopper_reference: 'shopper-7' });
    expect(gateway.received).toHaveLength(2);
  });
});

describe('recurring.cancel', () => {
  it('posts recurring_agreement_id and shopper_reference to /apis/payments/recurring/cancel', async () => {
    const { client, gateway } = await clientFor(() => done);
    const result = await client.recurring.cancel({
      recurring_agreement_id: 'RA11112222333344445555',
      shopper_reference: 'shopper-7',
    });
    expect(result).toBeUndefined();
    const [request] = gateway.received;
    expect(request!.url).toBe('/apis/payments/recurring/cancel');
    expect(request!.signatureValid).toBe(true);
    expect(request!.body).toEqual({
      merchant_id: 'M100',
      recurring_agreement_id: 'RA11112222333344445555',
      shopper_reference: 'shopper-7',
      timestamp: NOW,
    });
  });

  it('throws OpenKKAApiError 300031 (HTTP 404) for an agreement that is unknown or cancelled', async () => {
    const { client } = await clientFor(() => ({
      status: 404,
      envelope: { ret_code: '300031', ret_msg: 'Active recurring agreement does not exist for this shopper' },
    }));
    const error = await refusal(
      client.recurring.cancel({ recurring_agreement_id: 'RA0', shopper_reference: 'shopper-7' }),
    );
    expect({ retCode: error.retCode, httpStatus: error.httpStatus }).toEqual({
      retCode: '300031',
      httpStatus: 404,
    });
  });

  it('is not repeated after a 503', async () => {
    const { client, gateway } = await clientFor(() => unavailable);
    await refusal(client.recurring.cancel({ recurring_agreement_id: 'RA1', shopper_reference: 's' }));
    expect(gateway.received).toHaveLength(1);
  });
});

describe('payments.createFirstRecurring', () => {
  const first: FirstRecurringParams = {
    trans_id: 'sub-1-first',
    currency: 'USD',
    amount: 999,
    return_url: 'https://shop.example/return',
    payment: {
      card_no: '4242424242424242',
      exp_month: '07',
      exp_year: '2031',
      cvv: '123',
      shopper_reference: 'shopper-7',
    },
  };

  it('sends a RECURRING CIT that stores the card for a subscription, and returns the order', async () => {
    const answer = orderData({
      trans_id: 'sub-1-first',
      token: visaToken.token,
      recurring_agreement_id: 'RA11112222333344445555',
      shopper_reference: 'shopper-7',
    });
    const { client, gateway } = await clientFor(() => ok(answer));
    const order = await client.payments.createFirstRecurring(first);
    expect(order).toEqual(answer);
    const [request] = gateway.received;
    expect(request!.url).toBe('/apis/payments');
    expect(request!.signatureValid).toBe(true);
    expect(request!.body).toEqual({
      merchant_id: 'M100',
      trans_id: 'sub-1-first',
      payment_type: 'RECURRING',
      mit: false,
      currency: 'USD',
      amount: 999,
      return_url: 'https://shop.example/return',
      payment: {
        payment_method: 'BANKCARD',
        store_payment_method: true,
        token_usage: 'SUBSCRIPTION',
        card_no: '4242424242424242',
        exp_month: '07',
        exp_year: '2031',
        cvv: '123',
        shopper_reference: 'shopper-7',
      },
      timestamp: NOW,
    });
  });

  it('keeps the fields it sets even when an untyped caller sends others', async () => {
    const { client, gateway } = await clientFor(() => ok(orderData({ trans_id: first.trans_id })));
    const sloppy = {
      ...first,
      payment_type: 'PURCHASE',
      mit: true,
      payment: { ...first.payment, store_payment_method: false, token_usage: 'CARD_ON_FILE' },
    } as unknown as FirstRecurringParams;
    await client.payments.createFirstRecurring(sloppy);
    expect(gateway.received[0]!.body).toMatchObject({
      payment_type: 'RECURRING',
      mit: false,
      payment: { payment_method: 'BANKCARD', store_payment_method: true, token_usage: 'SUBSCRIPTION' },
    });
  });

  it('passes the other payment fields on (capture_method, notify_url, customer)', async () => {
    const { client, gateway } = await clientFor(() => ok(orderData({ trans_id: first.trans_id })));
    await client.payments.createFirstRecurring({
      ...first,
      capture_method: 'MANUAL',
      notify_url: 'https://shop.example/notify',
      customer: { email: 'a@shop.example' },
    });
    expect(gateway.received[0]!.body).toMatchObject({
      capture_method: 'MANUAL',
      notify_url: 'https://shop.example/notify',
      customer: { email: 'a@shop.example' },
    });
  });
});

describe('payments.createSubsequentRecurring', () => {
  const renewal = {
    trans_id: 'sub-1-renewal-1',
    amount: 999,
    currency: 'USD',
    recurring_agreement_id: 'RA11112222333344445555',
    token: visaToken.token,
    shopper_reference: 'shopper-7',
  };

  it('sends a RECURRING MIT by token and agreement, with no return_url', async () => {
    const { client, gateway } = await clientFor(() => ok(orderData({ trans_id: renewal.trans_id })));
    const order = await client.payments.createSubsequentRecurring(renewal);
    expect(order.trans_id).toBe('sub-1-renewal-1');
    const [request] = gateway.received;
    expect(request!.url).toBe('/apis/payments');
    expect(request!.signatureValid).toBe(true);
    expect(request!.body).toEqual({
      merchant_id: 'M100',
      trans_id: 'sub-1-renewal-1',
      payment_type: 'RECURRING',
      mit: true,
      currency: 'USD',
      amount: 999,
      recurring_agreement_id: 'RA11112222333344445555',
      payment: { payment_method: 'BANKCARD', token: visaToken.token, shopper_reference: 'shopper-7' },
      timestamp: NOW,
    });
  });

  it('adds notify_url when given', async () => {
    const { client, gateway } = await clientFor(() => ok(orderData({ trans_id: renewal.trans_id })));
    await client.payments.createSubsequentRecurring({ ...renewal, notify_url: 'https://shop.example/n' });
    expect(gateway.received[0]!.body['notify_url']).toBe('https://shop.example/n');
  });

  it('resolves with a FAILURE order (not an exception) when the agreement is cancelled', async () => {
    const refused = orderData({
      trans_id: renewal.trans_id,
      status: 'FAILURE',
      error_code: '2016',
      error_description: 'Recurring agreement is not active',
    });
    const { client } = await clientFor(() => ok(refused));
    const order = await client.payments.createSubsequentRecurring(renewal);
    expect({ status: order.status, error_code: order.error_code }).toEqual({
      status: 'FAILURE',
      error_code: '2016',
    });
  });

  it('is retried after a 503 like any payment (trans_id is its idempotency key)', async () => {
    const { client, gateway } = await clientFor((_r, i) =>
      i === 0 ? unavailable : ok(orderData({ trans_id: renewal.trans_id })),
    );
    await client.payments.createSubsequentRecurring(renewal);
    expect(gateway.received).toHaveLength(2);
    expect(gateway.received[1]!.body['trans_id']).toBe(renewal.trans_id);
  });
});
