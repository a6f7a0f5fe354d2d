/** The simulated acquirer's behaviour per test card (docs/testing.md#test-cards); every other valid card is approved. */
import type { BusinessCodeName } from '../domain/errors.ts';

export type TestCardBehaviour =
  | { kind: 'approve' }
  | { kind: 'decline'; reason: BusinessCodeName }
  /** The acquirer never answers in time: the outcome is unknown to the gateway. */
  | { kind: 'no-answer' }
  /** Needs a 3-D Secure challenge before authorization. */
  | { kind: 'challenge'; thenDecline?: BusinessCodeName }
  /** Approved; its refunds fail asynchronously. */
  | { kind: 'approve-refunds-fail' };

export const TEST_CARDS: Readonly<Record<string, TestCardBehaviour>> = {
  '4242424242424242': { kind: 'approve' },
  '5555555555554444': { kind: 'approve' },
  '378282246310005': { kind: 'approve' },
  '6011111111111117': { kind: 'approve' },
  '3566002020360505': { kind: 'approve' },
  '4000000000000002': { kind: 'decline', reason: 'DECLINED' },
  '4000000000009995': { kind: 'decline', reason: 'INSUFFICIENT_FUNDS' },
  '4000000000000069': { kind: 'decline', reason: 'EXPIRED_CARD' },
  '4000000000000127': { kind: 'decline', reason: 'INCORRECT_CVV' },
  '4000000000000119': { kind: 'decline', reason: 'ACQUIRER_ERROR' },
  '4000002760003184': { kind: 'challenge' },
  '4000008260003178': { kind: 'challenge', thenDecline: 'INSUFFICIENT_FUNDS' },
  '4000000000005126': { kind: 'approve-refunds-fail' },
  '4000000000000408': { kind: 'no-answer' },
  // eftpos-only cards (payment_method EFTPOS, AUD).
  '5020000000000005': { kind: 'approve' },
  '6100000000000006': { kind: 'approve' },
  '5020000000000021': { kind: 'decline', reason: 'DECLINED' },
  '6100000000009957': { kind: 'decline', reason: 'INSUFFICIENT_FUNDS' },
};

export function testCardBehaviour(pan: string): TestCardBehaviour {
  return TEST_CARDS[pan] ?? { kind: 'approve' };
}
