// The shopper's way back to the shop: the shop's URL as written, openkka's parameters only where free.
import { describe, expect, it } from 'vitest';
import { backToShop, paymentReturnUrl } from '../../../src/domain/back-to-shop.ts';

const PARAMS = { trans_id: '1967860', order_id: 'GW00000000000000000001', status: 'SUCCESS' };

describe('backToShop', () => {
  it("keeps the v1.2 WooCommerce plugin's own order_id and adds the other parameters", () => {
    const url = 'https://shop.example/?wc-api=WC_Gateway_Paykka_Payment_callback&order_id=1967860';
    expect(backToShop(url, PARAMS)).toBe(`${url}&trans_id=1967860&status=SUCCESS`);
  });

  it('adds every parameter to a URL without a query, in the order given', () => {
    expect(backToShop('https://shop.example/return', PARAMS)).toBe(
      'https://shop.example/return?trans_id=1967860&order_id=GW00000000000000000001&status=SUCCESS',
    );
  });

  it('replaces nothing the shop wrote, whatever it holds, and adds nothing already named', () => {
    const url = 'https://shop.example/r?status=paid&trans_id=&order_id=a&order_id=b';
    expect(backToShop(url, PARAMS)).toBe(url);
    // Names are compared as decoded: order%5Fid is order_id.
    expect(backToShop('https://shop.example/r?order%5Fid=7', PARAMS)).toBe(
      'https://shop.example/r?order%5Fid=7&trans_id=1967860&status=SUCCESS',
    );
  });

  it("leaves the shop's query as written: its encoding, bare flags, a trailing &, the fragment", () => {
    expect(backToShop('https://shop.example/r?q=a%20b&flag&x=%2F#top', { status: 'FAILURE' })).toBe(
      'https://shop.example/r?q=a%20b&flag&x=%2F&status=FAILURE#top',
    );
    expect(backToShop('https://shop.example/r?a=1&', { status: 'FAILURE' })).toBe(
      'https://shop.example/r?a=1&status=FAILURE',
    );
    expect(backToShop('https://shop.example/r?', { status: 'FAILURE' })).toBe(
      'https://shop.example/r?status=FAILURE',
    );
  });

  it('encodes the values it adds', () => {
    expect(backToShop('https://shop.example/r', { trans_id: 'a b&c=d/é' })).toBe(
      'https://shop.example/r?trans_id=a+b%26c%3Dd%2F%C3%A9',
    );
  });
});

describe('paymentReturnUrl', () => {
  it('is return_url with trans_id, order_id and status, where free', () => {
    const order = { return_url: 'https://shop.example/back?order_id=42', ...PARAMS, status: 'FAILURE' };
    expect(paymentReturnUrl(order)).toBe(
      'https://shop.example/back?order_id=42&trans_id=1967860&status=FAILURE',
    );
  });
});
