/** Request schemas for /payments/capture and /payments/void. */
import { z } from 'zod';
import { amount, currency, optionalBoolean, optionalOneOf, REASONS, text } from '../../core/input/fields.ts';

export const captureSchema = z.object({
  order_id: text(64),
  amount,
  currency,
  // As docs/api.md#routes says: capture_final defaults to true (release whatever this capture leaves).
  capture_final: optionalBoolean.transform((v) => v ?? true),
});

export const voidSchema = z.object({
  order_id: text(64),
  reason: optionalOneOf(REASONS),
});
