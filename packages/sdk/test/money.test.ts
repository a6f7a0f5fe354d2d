import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  type CaptureParams,
  OpenKKAApiError,
  OpenKKAConnectionError,
  type OpenKKAOptions,
  type Refund,
  type RefundCreateParams,
  type VoidParams,
} from '../src/index.ts';
import { ok, orderData, type Reply, refundData } from './fake-gateway.ts';
import { type Replier, useFakeGateway } from './harness.ts';

const fake = useFakeGateway();
const clientFor = (reply: Replier, options: Partial<OpenKKAOptions> = {}) =>
  fake.clientFor(reply, { now: () => 1_717_171_717_171, ...options });

const unavailable: Reply = { status: 503, envelope: { ret_code: '999999', ret_msg: 'System error' } };
const limited: Reply = { status: 429, envelope: { ret_code: '300009', ret_msg: 'slow down' } };

describe('payments.capture', () => {
  it('posts order_id, amount, currency and capture_final to /apis/payments/capture and returns the order', async () => {
    const captured = orderData({
      status: 'SUCCESS',
      capture_method: 'MANUAL',
      balances: { ...(orderData()['balances'] as object), captured_amount: 400, able_to_capture_amount: 850 },
    });
    const { client, gateway } = await clientFor(() => ok(captured));
    const params: CaptureParams = {
      order_id: 'GW1000001',
      amount: 400,
      currency: 'USD',
      capture_final: false,
    };
    const order = await client.payments.capture(params);

    expect(order.status).toBe('SUCCESS');
    expect(order.balances.captured_amount).toBe(400);
    expect(order.balances.able_to_capture_amount).toBe(850);
    const [request] = gateway.received;
    expect(request?.url).toBe('/apis/payments/capture');
    expect(request?.signatureValid).toBe(true);
    expect(request?.headers['version']).toBe('v1.2');
    expect(request?.body).toEqual({
      merchant_id: 'M100',
      order_id: 'GW1000001',
      amount: 400,
      currency: 'USD',
      capture_final: false,
      timestamp: 1_717_171_717_171,
    });
  });

  it('leaves capture_final out when not given, so the gateway default (true) applies', async () => {
    const { client, gateway } = await clientFor(() => ok(orderData()));
    await client.payments.capture({ order_id: 'GW1000001', amount: '1250', currency: 'USD' });

    const body = gateway.received[0]?.body;
    expect(body).not.toHaveProperty('capture_final');
    expect(body?.['amount']).toBe('1250');
  });

  it('throws OpenKKAApiError on a refused capture and does not retry it', async () => {
    const { client, gateway } = await clientFor(() => ({
      status: 409,
      envelope: {
        ret_code: '300011',
        ret_msg: 'Capture amount exceeds able_to_capture_amount: able_to_capture_amount is 850',
      },
    }));
    const error = await client.payments
      .capture({ order_id: 'GW1000001', amount: 900, currency: 'USD' })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(OpenKKAApiError);
    expect(error).toMatchObject({ retCode: '300011', httpStatus: 409 });
    expect(gateway.received).toHaveLength(1);
  });

  it('is not repeated after a 5xx, which may come after the capture took effect', async () => {
    const { client, gateway, sleeps } = await clientFor(() => unavailable);
    await expect(
      client.payments.capture({ order_id: 'GW1000001', amount: 100, currency: 'USD' }),
    ).rejects.toMatchObject({ retCode: '999999', httpStatus: 503 });
    expect(gateway.received).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('is repeated after HTTP 429, which means the request was not processed', async () => {
    const { client, gateway } = await clientFor((_, i) => (i === 0 ? limited : ok(orderData())));
    await expect(
      client.payments.capture({ order_id: 'GW1000001', amount: 100, currency: 'USD' }),
    ).resolves.toMatchObject({ order_id: 'GW1000001' });
    expect(gateway.received).toHaveLength(2);
  });

  it('is not repeated after the connection drops mid-request', async () => {
    let attempts = 0;
    const dropping = createServer((req) => {
      attempts++;
      req.socket.destroy();
    });
    await new Promise<void>((resolve) => dropping.listen(0, '127.0.0.1', resolve));
    const { port } = dropping.address() as AddressInfo;
    const { client, sleeps } = fake.client(`http://127.0.0.1:${port}`);
    try {
      const error = await client.payments
        .capture({ order_id: 'GW1000001', amount: 100, currency: 'USD' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenKKAConnectionError);
      expect(attempts).toBe(1);
      expect(sleeps).toEqual([]);
    } finally {
      await new Promise((resolve) => dropping.close(resolve));
    }
  });
});

describe('payments.void', () => {
  it('posts order_id and reason to /apis/payments/void and returns the order', async () => {
    const canceled = orderData({ status: 'CANCELED', capture_method: 'MANUAL' });
    const { client, gateway } = await clientFor(() => ok(canceled));
    const params: VoidParams = { order_id: 'GW1000001', reason: 'REQUESTED_BY_CUSTOMER' };
    const order = await client.payments.void(params);

    expect(order.status).toBe('CANCELED');
    const [request] = gateway.received;
    expect(request?.url).toBe('/apis/payments/void');
    expect(request?.signatureValid).toBe(true);
    expect(request?.body).toEqual({
      merchant_id: 'M100',
      order_id: 'GW1000001',
      reason: 'REQUESTED_BY_CUSTOMER',
      timestamp: 1_717_171_717_171,
    });
  });

  it('sends no reason when none is given, and honours an empty apiPrefix', async () => {
    const { client, gateway } = await clientFor(() => ok(orderData({ status: 'CANCELED' })), {
      apiPrefix: '',
    });
    await client.payments.void({ order_id: 'GW1000001' });

    expect(gateway.received[0]?.url).toBe('/payments/void');
    expect(gateway.received[0]?.body).not.toHaveProperty('reason');
  });

  it('is not repeated after a 5xx', async () => {
    const { client, gateway } = await clientFor(() => unavailable);
    await expect(client.payments.void({ order_id: 'GW1000001' })).rejects.toBeInstanceOf(OpenKKAApiError);
    expect(gateway.received).toHaveLength(1);
  });
});

describe('refunds.create', () => {
  const refund: RefundCreateParams = {
    refund_trans_id: 'R-1',
    ori_order_id: 'GW1000001',
    refund_amount: 500,
    currency: 'USD',
    reason: 'OTHER',
    notify_url: 'https://shop.example/notify',
  };

  it('posts every refund field to /apis/payments/refund and returns the refund object', async () => {
    const { client, gateway } = await clientFor(() => ok(refundData()));
    const answer: Refund = await client.refunds.create(refund);

    expect(answer).toEqual(refundData());
    const [request] = gateway.received;
    expect(request?.url).toBe('/apis/payments/refund');
    expect(request?.signatureValid).toBe(true);
    expect(request?.body).toEqual({
      merchant_id: 'M100',
      ...refund,
      timestamp: 1_717_171_717_171,
    });
  });

  it('returns a refund still in progress as PROCESSING rather than throwing', async () => {
    const pending = refundData({ status: 'PROCESSING', error_code: '', error_description: '' });
    const { client } = await clientFor(() => ok(pending));
    const answer = await client.refunds.create(refund);

    expect(answer.status).toBe('PROCESSING');
    expect(answer.error_code).toBe('');
  });

  it('is repeated after a 5xx, since refund_trans_id makes a repeat harmless', async () => {
    const { client, gateway } = await clientFor((_, i) => (i === 0 ? unavailable : ok(refundData())));
    await expect(client.refunds.create(refund)).resolves.toMatchObject({ status: 'SUCCESS' });
    expect(gateway.received).toHaveLength(2);
    expect(gateway.received.map((r) => r.body['refund_trans_id'])).toEqual(['R-1', 'R-1']);
  });

  it('throws OpenKKAApiError when the refund is refused', async () => {
    const { client } = await clientFor(() => ({
      status: 409,
      envelope: {
        ret_code: '300015',
        ret_msg: 'Refund amount exceeds able_to_refund_amount: able_to_refund_amount is 0',
      },
    }));
    await expect(client.refunds.create(refund)).rejects.toMatchObject({
      name: 'OpenKKAApiError',
      retCode: '300015',
      httpStatus: 409,
    });
  });
});

describe('refunds.query', () => {
  it('posts refund_trans_id to /apis/payments/refund/query', async () => {
    const { client, gateway } = await clientFor(() => ok(refundData({ status: 'FAILURE' })));
    const answer = await client.refunds.query({ refund_trans_id: 'R-1' });

    expect(answer.status).toBe('FAILURE');
    expect(gateway.received[0]?.url).toBe('/apis/payments/refund/query');
    expect(gateway.received[0]?.body).toEqual({
      merchant_id: 'M100',
      refund_trans_id: 'R-1',
      timestamp: 1_717_171_717_171,
    });
    expect(gateway.received[0]?.signatureValid).toBe(true);
  });

  it('posts refund_order_id, and reports an unknown refund as 206024', async () => {
    const { client, gateway } = await clientFor(() => ({
      status: 404,
      envelope: { ret_code: '206024', ret_msg: 'Refund does not exist' },
    }));
    await expect(client.refunds.query({ refund_order_id: 'RG404' })).rejects.toMatchObject({
      retCode: '206024',
      retMsg: 'Refund does not exist',
      httpStatus: 404,
    });
    expect(gateway.received[0]?.body['refund_order_id']).toBe('RG404');
  });
});
