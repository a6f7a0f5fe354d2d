/**
 * Every operation of the API, built once from the services and served by each wire at its own
 * paths (protocols/v1: `/payments/…`; protocols/v3: `/v3/payment/acq/…`).
 */
import type { KeyObject } from 'node:crypto';
import type { Clock } from '../domain/clock.ts';
import type { TimeZone } from '../domain/time-zone.ts';
import type { CaptureService } from '../modules/captures/service.ts';
import type { NotifyUrlCheck } from '../modules/notifications/outbound/policy.ts';
import type { PaymentService } from '../modules/payments/service.ts';
import type { RefundService } from '../modules/refunds/service.ts';
import type { SessionService } from '../modules/sessions/service.ts';
import type { AgreementRepo } from '../modules/tokens/agreement-repo.ts';
import type { TokenRepo } from '../modules/tokens/repo.ts';
import { captureOperations } from './captures.ts';
import { paymentOperations } from './payments.ts';
import { recurringOperations } from './recurring.ts';
import { refundOperations } from './refunds.ts';
import { sessionOperations } from './sessions.ts';
import { tokenOperations } from './tokens.ts';
import type { Operation } from './types.ts';
import { walletOperations } from './wallets.ts';

export type { Operation, OperationCall, OperationData } from './types.ts';

export interface OperationDeps {
  clock: Clock;
  timeZone: TimeZone;
  platformKey: KeyObject;
  payments: PaymentService;
  sessions: SessionService;
  captures: CaptureService;
  refunds: RefundService;
  tokens: TokenRepo;
  agreements: AgreementRepo;
  /** The outbound policy's check of a request's notify_url. */
  notifyUrls: NotifyUrlCheck;
}

export type OperationName =
  | 'pay'
  | 'queryPayment'
  | 'createSession'
  | 'querySession'
  | 'capture'
  | 'void'
  | 'refund'
  | 'queryRefund'
  | 'queryTokens'
  | 'removeToken'
  | 'cancelRecurring'
  | 'appleSession';

export type Operations = Record<OperationName, Operation>;

export function buildOperations(deps: OperationDeps): Operations {
  const { clock, timeZone, notifyUrls } = deps;
  return {
    ...paymentOperations({ payments: deps.payments, sessions: deps.sessions, notifyUrls, timeZone }),
    ...sessionOperations({ sessions: deps.sessions, notifyUrls, clock, timeZone }),
    ...captureOperations({ captures: deps.captures, timeZone }),
    ...refundOperations({ refunds: deps.refunds, notifyUrls }),
    ...tokenOperations({ tokens: deps.tokens, clock }),
    ...recurringOperations({ agreements: deps.agreements, clock }),
    ...walletOperations({ clock, platformKey: deps.platformKey }),
  };
}
