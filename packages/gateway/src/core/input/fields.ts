/**
 * Building blocks for request schemas, with the wire's leniencies in one place (docs/api.md#transport-rules):
 * an empty string or null counts as absent, numbers may come as digit strings, and every
 * message reads after the field name ("amount must be a positive integer…").
 */
import { z } from 'zod';
import { findCurrency, parseMinorAmount } from '../../domain/money.ts';
import { readTime, TIME_SHAPE_PROBLEM } from '../../domain/time.ts';
import type { TimeZone } from '../../domain/time-zone.ts';

/** What an identifier sent as any other number is told (after its field name). */
export const IDENTIFIER_NUMBER_MESSAGE =
  'must be a string, or an integer from 0 to 9007199254740991 written in plain digits (no sign, fraction or exponent)';

const absent = (v: unknown) => (v === '' || v === null ? undefined : v);

/**
 * Fields that read an absent value themselves, to answer "is required" in the wire's words, so
 * zod sees them as optional: the API description (protocols/openapi) lists them as required.
 */
export const REQUIRED_FIELDS = new WeakSet<z.ZodType>();

/** Marks `schema` as a field the client must send (REQUIRED_FIELDS). */
export function required<T extends z.ZodType>(schema: T): T {
  REQUIRED_FIELDS.add(schema);
  return schema;
}

/** The JSON Schema of a number the wire also takes as a string of digits. */
function digitsOr(number: Record<string, unknown>, pattern: string) {
  return {
    anyOf: [
      { type: 'integer', ...number },
      { type: 'string', pattern },
    ],
  };
}

function typed(kind: string) {
  return {
    error: (issue: { input: unknown }) => (issue.input === undefined ? 'is required' : `must be ${kind}`),
  };
}

// PostgreSQL text cannot hold U+0000 (the insert fails, which would surface as a 500), and no
// identifier, reference or URL legitimately contains it: refuse it as bad input on every store.
const withoutNul = (v: string) => !v.includes('\u0000');
const NUL_MESSAGE = 'must not contain NUL characters';
// An unpaired surrogate ("\ud800") is stored as U+FFFD by both stores, so two different
// trans_ids would become one idempotency key, and the value read back differs from the one sent.
const wellFormed = (v: string) => !/\p{Cs}/u.test(v);
const SURROGATE_MESSAGE = 'must be valid Unicode (no unpaired surrogates)';

function wireString(max: number) {
  return z
    .string(typed('a string'))
    .max(max, `must be at most ${max} characters`)
    .refine(withoutNul, NUL_MESSAGE)
    .refine(wellFormed, SURROGATE_MESSAGE);
}

/** Any schema, made optional, with an empty string or null read as absent. */
export function orAbsent<T extends z.ZodType>(schema: T) {
  return z.preprocess(absent, schema.optional());
}

export function text(max: number) {
  return z.preprocess(absent, wireString(max));
}

export function optionalText(max: number) {
  return z.preprocess(absent, wireString(max).optional());
}

/**
 * An identifier (trans_id, refund_trans_id, shopper_reference): a string. One sent as a JSON
 * integer in plain digits arrives here already as its digits (identifiers.ts); any other
 * number is refused with a message that says which numbers are read.
 */
function wireIdentifier(max: number) {
  return z
    .string({
      error: (issue: { input: unknown }) =>
        issue.input === undefined
          ? 'is required'
          : typeof issue.input === 'number'
            ? IDENTIFIER_NUMBER_MESSAGE
            : 'must be a string',
    })
    .max(max, `must be at most ${max} characters`)
    .refine(withoutNul, NUL_MESSAGE)
    .refine(wellFormed, SURROGATE_MESSAGE);
}

export function identifier(max: number) {
  return z.preprocess(absent, wireIdentifier(max));
}

export function optionalIdentifier(max: number) {
  return z.preprocess(absent, wireIdentifier(max).optional());
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, {
    error: (i) => (i.input === undefined ? 'is required' : `must be one of ${values.join(', ')}`),
  });
}

/** The reasons a capture, void or refund may give (the seed's `reason` enumeration). */
export const REASONS = ['DUPLICATE', 'FRAUDULENT', 'REQUESTED_BY_CUSTOMER', 'OTHER'] as const;

export function optionalOneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.preprocess(absent, oneOf(values).optional());
}

/** Amount in minor units: integer or digit string, 1 … 2^53−1. */
export const amount = required(
  z
    .unknown()
    .optional()
    .transform((value, ctx) => {
      const input = absent(value);
      const parsed =
        input === undefined ? { ok: false as const, reason: 'is required' } : parseMinorAmount(input);
      if (parsed.ok) return parsed.value;
      ctx.issues.push({ code: 'custom', message: parsed.reason, input: value });
      return z.NEVER;
    })
    .meta({
      ...digitsOr({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }, '^[0-9]{1,16}$'),
      description: 'in minor units (cents for USD), a JSON integer or a string of digits',
    }),
);

/** A small integer that PayKKa's clients send as a number or a string ("07", "2031"). */
export function optionalIntLike(min: number, max: number) {
  return z
    .unknown()
    .optional()
    .transform((value, ctx) => {
      const input = absent(value);
      if (input === undefined) return undefined;
      const n = typeof input === 'string' && /^\d{1,9}$/.test(input) ? Number(input) : input;
      if (typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max) return n;
      ctx.issues.push({ code: 'custom', message: `must be an integer from ${min} to ${max}`, input: value });
      return z.NEVER;
    })
    .meta(digitsOr({ minimum: min, maximum: max }, '^[0-9]{1,9}$'));
}

export const optionalBoolean = z
  .unknown()
  .optional()
  .transform((value, ctx) => {
    const input = absent(value);
    if (input === undefined) return undefined;
    if (typeof input === 'boolean') return input;
    if (input === 'true' || input === 'false') return input === 'true';
    ctx.issues.push({ code: 'custom', message: 'must be true or false', input: value });
    return z.NEVER;
  })
  .meta({ anyOf: [{ type: 'boolean' }, { type: 'string', enum: ['true', 'false'] }] });

export function optionalUrl(max = 1024) {
  return z.preprocess(
    absent,
    z
      .string(typed('a string'))
      .max(max, `must be at most ${max} characters`)
      .refine(withoutNul, NUL_MESSAGE)
      .refine(wellFormed, SURROGATE_MESSAGE)
      .refine((v) => /^https?:\/\/[^\s]+$/i.test(v) && URL.canParse(v), 'must be an http(s) URL')
      .optional(),
  );
}

/**
 * No request time is before 1970: a deadline in year 0000 is a mistake or a probe, and epoch
 * milliseconds below zero are nothing openkka stores.
 */
const EARLIEST_TIME_MS = 0;

const EXAMPLE_TIME = '2026-01-01T09:30:00+08:00';

/** Accepts the time forms of docs/api.md#transport-rules and yields epoch ms; a time without an offset is `zone`'s. */
export function optionalTime(zone: TimeZone) {
  return z
    .unknown()
    .optional()
    .transform((value, ctx) => {
      const input = absent(value);
      if (input === undefined) return undefined;
      if (typeof input !== 'string') {
        ctx.issues.push({ code: 'custom', message: TIME_SHAPE_PROBLEM, input: value });
        return z.NEVER;
      }
      const read = readTime(input, zone);
      if (read.ok && read.ms >= EARLIEST_TIME_MS) return read.ms;
      // Year 0000 in Hong Kong is also a year the zone cannot write: the earlier rule says more.
      const early = read.ok || (read.problem !== TIME_SHAPE_PROBLEM && Number(input.slice(0, 4)) < 1970);
      const message = early ? 'must be in 1970 or later' : read.problem;
      ctx.issues.push({ code: 'custom', message, input: value });
      return z.NEVER;
    })
    .meta({
      type: 'string',
      description: `a time with an offset (${EXAMPLE_TIME}), or without one in the gateway's time zone`,
    });
}

/** Nested objects we accept and keep but do not interpret yet (browser, bill, customer…). */
export const optionalObject = z.preprocess(
  absent,
  z.record(z.string(), z.unknown(), typed('an object')).optional(),
);

/** An upper-case ISO 4217 code with a minor unit. */
export const currency = required(
  z
    .unknown()
    .optional()
    .transform((value, ctx) => {
      const found = typeof value === 'string' ? findCurrency(value) : undefined;
      if (found) return found.code;
      const message =
        value === undefined || value === '' ? 'is required' : 'is not an ISO 4217 currency code';
      ctx.issues.push({ code: 'custom', message, input: value });
      return z.NEVER;
    })
    .meta({ type: 'string', pattern: '^[A-Z]{3}$', description: 'an ISO 4217 code (USD, EUR, HKD…)' }),
);
