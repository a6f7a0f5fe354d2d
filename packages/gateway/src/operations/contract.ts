/**
 * What each operation reads and answers, as the API description (protocols/openapi) states it:
 * the very request schemas the operations parse with, and the shape of the answer's `data`
 * (answers.ts). A wire adds its paths, headers, signature and envelope around them.
 */
import type { z } from 'zod';
import type { TimeZone } from '../domain/time-zone.ts';
import { captureSchema, voidSchema } from '../modules/captures/schemas.ts';
import { createPaymentSchema, queryPaymentSchema } from '../modules/payments/schemas.ts';
import { refundQuerySchema, refundSchema } from '../modules/refunds/schemas.ts';
import { createSessionSchema, querySessionSchema } from '../modules/sessions/schemas.ts';
import { appleSessionSchema } from '../modules/wallets/apple-pay-session.ts';
import { appleSessionAnswer, orderAnswer, refundAnswer, sessionAnswer, tokenAnswer } from './answers.ts';
import type { OperationName } from './index.ts';
import { recurringCancelSchema } from './recurring.ts';
import { tokenQuerySchema, tokenRemoveSchema } from './tokens.ts';

export interface OperationContract {
  summary: string;
  /** Where docs/api.md says more. */
  section: string;
  request: z.ZodType;
  /** The answer's `data` and the name it is described under; none for an operation that answers nothing. */
  answer: { name: string; schema: z.ZodType } | undefined;
}

const ORDER = { name: 'Order', schema: orderAnswer };
const REFUND = { name: 'Refund', schema: refundAnswer };
const SESSION = { name: 'CheckoutSession', schema: sessionAnswer };

export function operationContracts(zone: TimeZone): Record<OperationName, OperationContract> {
  return {
    pay: {
      summary: 'Initiate a transaction',
      section: 'initiate-transaction-payments',
      request: createPaymentSchema(zone),
      answer: ORDER,
    },
    queryPayment: {
      summary: 'Query a transaction',
      section: 'query-transaction-paymentsquery',
      request: queryPaymentSchema,
      answer: ORDER,
    },
    createSession: {
      summary: 'Create a checkout session',
      section: 'checkout-sessions',
      request: createSessionSchema(zone),
      answer: SESSION,
    },
    querySession: {
      summary: 'Query a checkout session',
      section: 'checkout-session-query-paymentssessionquery',
      request: querySessionSchema,
      answer: SESSION,
    },
    capture: {
      summary: 'Capture an authorized order',
      section: 'capture-paymentscapture',
      request: captureSchema,
      answer: ORDER,
    },
    void: {
      summary: 'Void what is left of an authorization',
      section: 'void-paymentsvoid',
      request: voidSchema,
      answer: ORDER,
    },
    refund: {
      summary: 'Refund a captured order',
      section: 'refund-paymentsrefund',
      request: refundSchema,
      answer: REFUND,
    },
    queryRefund: {
      summary: 'Query a refund',
      section: 'refund-query-paymentsrefundquery',
      request: refundQuerySchema,
      answer: REFUND,
    },
    queryTokens: {
      summary: "List a shopper's stored cards",
      section: 'token-query-paymentstokenquery',
      request: tokenQuerySchema,
      answer: { name: 'Tokens', schema: tokenAnswer.array() },
    },
    removeToken: {
      summary: 'Remove a stored card',
      section: 'token-remove-paymentstokenremove',
      request: tokenRemoveSchema,
      answer: undefined,
    },
    cancelRecurring: {
      summary: 'Cancel a recurring agreement',
      section: 'recurring-cancel-paymentsrecurringcancel',
      request: recurringCancelSchema,
      answer: undefined,
    },
    appleSession: {
      summary: 'Create an Apple Pay merchant session',
      section: 'routes',
      request: appleSessionSchema,
      answer: { name: 'AppleMerchantSession', schema: appleSessionAnswer },
    },
  };
}
