/**
 * The payments list's filters as they arrive in the query string, read into a PaymentFilter or
 * a list of what is wrong with them (shown above the list, HTTP 400).
 */
import { ORDER_STATUSES, type OrderStatus } from '../../domain/order.ts';
import { PAYMENT_METHODS, type PaymentMethod } from '../../domain/payment-methods.ts';
import { parseTime } from '../../domain/time.ts';
import type { TimeZone } from '../../domain/time-zone.ts';
import type { PaymentFilter } from '../../modules/dashboard/payments.ts';

export const FILTER_FIELDS = ['merchant', 'status', 'method', 'min', 'max', 'from', 'to', 'q'] as const;
export type FilterForm = Partial<Record<(typeof FILTER_FIELDS)[number] | 'before', string>>;

const DAY = 86_400_000;
const SHORT_TEXT = /^[\x21-\x7e]{1,128}$/;

export function readFilter(query: FilterForm, zone: TimeZone): { filter: PaymentFilter; problems: string[] } {
  const problems: string[] = [];
  const filter: PaymentFilter = {};
  const given = (name: keyof FilterForm) => {
    const value = query[name];
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  };
  const text = (name: keyof FilterForm) => {
    const value = given(name);
    if (value !== undefined && !SHORT_TEXT.test(value))
      problems.push(`${name} must be 1 to 128 visible ASCII characters`);
    return value;
  };
  filter.merchantId = text('merchant');
  filter.search = text('q');
  filter.before = text('before');
  const status = given('status');
  if (status !== undefined) {
    if ((ORDER_STATUSES as readonly string[]).includes(status)) filter.status = status as OrderStatus;
    else problems.push(`status must be one of ${ORDER_STATUSES.join(', ')}`);
  }
  const method = given('method');
  if (method !== undefined) {
    if ((PAYMENT_METHODS as readonly string[]).includes(method)) filter.method = method as PaymentMethod;
    else problems.push(`method must be one of ${PAYMENT_METHODS.join(', ')}`);
  }
  for (const [name, key] of [
    ['min', 'minAmount'],
    ['max', 'maxAmount'],
  ] as const) {
    const value = given(name);
    if (value === undefined) continue;
    if (/^\d{1,15}$/.test(value)) filter[key] = Number(value);
    else problems.push(`${name} must be a whole amount in minor units`);
  }
  for (const [name, shift] of [
    ['from', 0],
    ['to', DAY],
  ] as const) {
    const value = given(name);
    if (value === undefined) continue;
    const ms = /^\d{4}-\d{2}-\d{2}$/.test(value) ? parseTime(`${value} 00:00:00`, zone) : undefined;
    if (ms === undefined) problems.push(`${name} must be a date, YYYY-MM-DD`);
    else filter[name] = ms + shift;
  }
  return { filter, problems };
}
