/**
 * Apple Pay and Google Pay payments carry the wallet's decrypted payment data in
 * `payment.token_data` (docs/three-ds.md): a device PAN, its expiry, the cryptogram and the ECI. It may
 * come as an object or as a JSON string. A missing or ill-formed field is a request-level
 * refusal (010000); whether the DPAN is a valid card (Luhn, expiry, brand) is a business
 * outcome decided later, exactly as for a typed card.
 */

import { ApiError } from '../../domain/errors.ts';
import type { WalletCard } from '../orders/payment-source.ts';

type Fields = Record<string, unknown>;

function refuse(detail: string): never {
  throw new ApiError('INVALID_REQUEST', `payment.token_data${detail}`);
}

function asObject(raw: unknown): Fields {
  let value = raw;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      refuse(' is not valid JSON');
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) refuse(' must be an object');
  return value as Fields;
}

/** The first present of `names`, as text (numbers accepted). */
function pick(data: Fields, names: string[]): string | undefined {
  for (const name of names) {
    const v = data[name];
    if (typeof v === 'string' && v.trim() !== '') return v.trim();
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  }
  return undefined;
}

function required(data: Fields, names: string[]): string {
  return pick(data, names) ?? refuse(`.${names[0]} is required`);
}

/** Expiry as month/year: separate fields, or Apple's `application_expiration_date` (YYMMDD). */
function expiry(data: Fields): { month: number; year: number } {
  const yymmdd = pick(data, ['application_expiration_date', 'applicationExpirationDate']);
  if (yymmdd !== undefined) {
    if (!/^\d{6}$/.test(yymmdd)) refuse('.application_expiration_date must be YYMMDD');
    return { month: Number(yymmdd.slice(2, 4)), year: 2000 + Number(yymmdd.slice(0, 2)) };
  }
  const month = required(data, ['exp_month', 'expiration_month', 'expirationMonth']);
  const year = required(data, ['exp_year', 'expiration_year', 'expirationYear']);
  if (!/^\d{1,2}$/.test(month)) refuse('.exp_month must be a number');
  if (!/^\d{2}(\d{2})?$/.test(year)) refuse('.exp_year must be a 2- or 4-digit year');
  return { month: Number(month), year: year.length === 2 ? 2000 + Number(year) : Number(year) };
}

export function parseWalletTokenData(raw: unknown): WalletCard {
  if (raw === undefined || raw === null || raw === '') refuse(' is required for wallet payments');
  const data = asObject(raw);
  const pan = required(data, [
    'dpan',
    'application_primary_account_number',
    'applicationPrimaryAccountNumber',
  ]).replace(/[ -]/g, '');
  if (!/^\d{12,19}$/.test(pan)) refuse('.dpan must be 12 to 19 digits');
  const { month, year } = expiry(data);
  const cryptogram = required(data, ['cryptogram', 'online_payment_cryptogram', 'onlinePaymentCryptogram']);
  const eci = required(data, ['eci', 'eci_indicator', 'eciIndicator']);
  if (!/^\d{1,2}$/.test(eci)) refuse('.eci must be 1 or 2 digits');
  return { pan, expMonth: month, expYear: year, cryptogram, eci: eci.padStart(2, '0') };
}
