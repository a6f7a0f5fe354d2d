/** The one migration set, for both dialects. Add new files here in order; never edit a shipped one. */
import type { Migration } from 'kysely';
import * as initial from './001-initial.ts';
import * as moneyMovement from './002-money-movement.ts';
import * as notifications from './003-notifications.ts';
import * as tokens from './004-tokens.ts';
import * as threeDs from './005-three-ds.ts';
import * as checkoutSessions from './006-checkout-sessions.ts';
import * as merchantChanges from './007-merchant-changes.ts';
import * as merchantCheckoutFlag from './008-merchant-checkout-flag.ts';
import * as partialJobIndexes from './009-partial-job-indexes.ts';
import * as clientKeys from './010-client-keys.ts';
import * as googlePayMessages from './011-google-pay-messages.ts';
import * as requestNonces from './012-request-nonces.ts';
import * as merchantAppIds from './013-merchant-app-ids.ts';
import * as notifyProtocols from './014-notify-protocols.ts';
import * as sessionOrderDetails from './015-session-order-details.ts';
import * as usedSignatures from './016-used-signatures.ts';
import * as notificationsByMerchant from './017-notifications-by-merchant.ts';
import * as challengeCodes from './018-challenge-codes.ts';
import * as rateBuckets from './019-rate-buckets.ts';
import * as attemptAnswers from './020-attempt-answers.ts';
import * as notificationClaimOrder from './021-notification-claim-order.ts';
import * as requestIds from './022-request-ids.ts';

export const migrations: Record<string, Migration> = {
  '001-initial': initial,
  '002-money-movement': moneyMovement,
  '003-notifications': notifications,
  '004-tokens': tokens,
  '005-three-ds': threeDs,
  '006-checkout-sessions': checkoutSessions,
  '007-merchant-changes': merchantChanges,
  '008-merchant-checkout-flag': merchantCheckoutFlag,
  '009-partial-job-indexes': partialJobIndexes,
  '010-client-keys': clientKeys,
  '011-google-pay-messages': googlePayMessages,
  '012-request-nonces': requestNonces,
  '013-merchant-app-ids': merchantAppIds,
  '014-notify-protocols': notifyProtocols,
  '015-session-order-details': sessionOrderDetails,
  '016-used-signatures': usedSignatures,
  '017-notifications-by-merchant': notificationsByMerchant,
  '018-challenge-codes': challengeCodes,
  '019-rate-buckets': rateBuckets,
  '020-attempt-answers': attemptAnswers,
  '021-notification-claim-order': notificationClaimOrder,
  '022-request-ids': requestIds,
};
