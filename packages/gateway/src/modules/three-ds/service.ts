/**
 * 3-D Secure challenges (docs/three-ds.md). A card that needs one is recorded PROCESSING with its card
 * encrypted and its CVV encrypted beside the challenge; nothing is sent to the acquirer until
 * the shopper passes. Passing authorizes (the CVV is deleted first), failing or running out of
 * time fails the order; either way the browser goes back to the merchant's return_url.
 */
import { randomBytes } from 'node:crypto';
import type { AuthorizeRequest } from '../../acquirer/types.ts';
import type { OrderRow } from '../../core/orders/order-row.ts';
import type { OrderRepo } from '../../core/orders/repo.ts';
import type { OrderWriter } from '../../core/orders/writer.ts';
import { paymentReturnUrl } from '../../domain/back-to-shop.ts';
import { detectBrand } from '../../domain/card.ts';
import type { Clock } from '../../domain/clock.ts';
import { BUSINESS_CODES, type BusinessCodeName } from '../../domain/errors.ts';
import type { Tx } from '../../store/tx.ts';
import type { Vault } from '../../vault/vault.ts';
import { challengeCode, codeMatches } from './code.ts';
import type { ChallengeRepo, ChallengeRow } from './repo.ts';
import { finishedResult, pendingResult } from './result.ts';

export const MAX_CODE_ATTEMPTS = 3;

export type SubmitOutcome =
  | { kind: 'redirect'; url: string; order: OrderRow }
  | { kind: 'retry'; challenge: ChallengeRow; order: OrderRow; error: 'wrong-code' };

export interface ChallengeDeps {
  repo: ChallengeRepo;
  orders: OrderRepo;
  writer: OrderWriter;
  vault: Vault;
  clock: Clock;
  settings: { acquirerTimeoutMs: number };
  /** Sends the authorization once the shopper passed (the payment service's path). */
  authorize: (order: OrderRow, card: AuthorizeRequest['card']) => Promise<OrderRow>;
}

export class ThreeDsService {
  constructor(private readonly deps: ChallengeDeps) {}

  /** The challenge row and authentication_result for a new order; the caller inserts both in one transaction. */
  prepare(order: OrderRow, cvv: string | undefined, publicUrl: string) {
    const challengeId = randomBytes(16).toString('hex');
    const url = `${publicUrl}/3ds/${challengeId}`;
    const now = this.deps.clock.now();
    const challenge: ChallengeRow = {
      challenge_id: challengeId,
      order_id: order.order_id,
      // The code is derived, never stored (code.ts).
      legacy_otp: null,
      status: 'PENDING',
      attempts: 0,
      cvv_ciphertext: cvv ? this.deps.vault.sealText(cvv, `cvv/${challengeId}`) : null,
      expires_at: order.expire_at,
      created_at: now,
      updated_at: now,
    };
    return {
      order: { ...order, authentication_result: JSON.stringify(pendingResult(url)) },
      insertChallenge: (tx: Tx) => this.deps.repo.insert(tx, challenge),
    };
  }

  async page(challengeId: string): Promise<{ challenge: ChallengeRow; order: OrderRow } | undefined> {
    const challenge = await this.deps.repo.get(challengeId);
    if (!challenge) return undefined;
    const order = await this.deps.orders.byOrderIdAny(challenge.order_id);
    return order && { challenge, order };
  }

  /** The one-time code the sandbox issuer shows the shopper for this challenge. */
  code(challenge: ChallengeRow): string {
    return challengeCode(this.deps.vault, challenge);
  }

  async submit(
    challengeId: string,
    action: 'complete' | 'fail',
    code: string,
  ): Promise<SubmitOutcome | undefined> {
    const found = await this.page(challengeId);
    if (!found) return undefined;
    const { challenge, order } = found;
    if (challenge.status !== 'PENDING' || order.status !== 'PROCESSING') return this.back(order);
    // Fix: an answer after expire_time was accepted (and authorized) as long as the expiry job
    // had not run yet; the payment expires now instead, as the job would have expired it.
    if (this.deps.clock.now() >= challenge.expires_at)
      return this.back(await this.fail(challenge, 'PAYMENT_EXPIRED'));
    if (action === 'fail') return this.back(await this.fail(challenge, 'AUTHENTICATION_FAILED'));
    if (!codeMatches(this.code(challenge), code.trim())) {
      // Fix: the wrong guess is counted on the locked row. Counted from the row read above,
      // guesses sent at once all saw the same count and each wrote count + 1, so parallel
      // requests could try far more than MAX_CODE_ATTEMPTS codes.
      const counted = await this.deps.writer.mutateWith<number>(
        null,
        challenge.order_id,
        async (_row, tx) => {
          const current = (await this.deps.repo.byOrder(tx, challenge.order_id))!;
          if (current.status !== 'PENDING') return null;
          const attempts = current.attempts + 1;
          await this.deps.repo.update(tx, challengeId, { attempts, updated_at: this.deps.clock.now() });
          return { changes: {}, result: attempts };
        },
      );
      const attempts = counted.result;
      if (attempts === undefined) return this.back(counted.order);
      if (attempts >= MAX_CODE_ATTEMPTS)
        return this.back(await this.fail(challenge, 'AUTHENTICATION_FAILED'));
      return { kind: 'retry', challenge: { ...challenge, attempts }, order, error: 'wrong-code' };
    }
    return this.back(await this.pass(challenge));
  }

  /** Challenges the shopper abandoned: the order fails once expire_time has passed. */
  async expireDue(batch = 50): Promise<number> {
    const due = await this.deps.repo.dueForExpiry(this.deps.clock.now(), batch);
    for (const challenge of due) await this.fail(challenge, 'PAYMENT_EXPIRED');
    return due.length;
  }

  private async pass(challenge: ChallengeRow): Promise<OrderRow> {
    const { writer, repo, clock, vault, settings } = this.deps;
    const url = JSON.parse(
      (await this.deps.orders.byOrderIdAny(challenge.order_id))!.authentication_result ?? '{}',
    ).authentication_url as string;
    const { order, result: cvv } = await writer.mutateWith<string | null>(
      null,
      challenge.order_id,
      async (row, tx) => {
        const current = (await repo.byOrder(tx, row.order_id))!;
        // Out of attempts: a wrong guess made the last one and is failing the challenge now.
        if (current.attempts >= MAX_CODE_ATTEMPTS) return null;
        if (current.status !== 'PENDING' || row.status !== 'PROCESSING') return null;
        const now = clock.now();
        // The CVV leaves the store here: it goes to the acquirer from memory only.
        await repo.update(tx, current.challenge_id, {
          status: 'PASSED',
          cvv_ciphertext: null,
          legacy_otp: null,
          updated_at: now,
        });
        const sealedCvv = current.cvv_ciphertext;
        return {
          changes: {
            authentication_result: JSON.stringify(finishedResult(url, true)),
            processing_until: now + settings.acquirerTimeoutMs,
            next_reconcile_at: now + settings.acquirerTimeoutMs,
          },
          result: sealedCvv ? openCvv(vault, sealedCvv, current.challenge_id) : null,
        };
      },
    );
    if (order.status !== 'PROCESSING' || !order.card_ciphertext || cvv === undefined) return order;
    const card = vault.decryptCard(order.card_ciphertext);
    const brand = detectBrand(card.pan)!;
    return this.deps.authorize(order, {
      pan: card.pan,
      expMonth: card.exp_month,
      expYear: card.exp_year,
      cvv: cvv ?? undefined,
      brand,
    });
  }

  private fail(challenge: ChallengeRow, reason: BusinessCodeName): Promise<OrderRow> {
    const { writer, repo, clock } = this.deps;
    return writer.mutate(null, challenge.order_id, async (row, tx) => {
      const current = (await repo.byOrder(tx, row.order_id))!;
      if (current.status !== 'PENDING' || row.status !== 'PROCESSING') return null;
      const now = clock.now();
      const status = reason === 'PAYMENT_EXPIRED' ? 'EXPIRED' : 'FAILED';
      await repo.update(tx, current.challenge_id, {
        status,
        cvv_ciphertext: null,
        legacy_otp: null,
        updated_at: now,
      });
      const url = JSON.parse(row.authentication_result ?? '{}').authentication_url as string;
      const code = BUSINESS_CODES[reason];
      return {
        changes: {
          status: 'FAILURE',
          error_code: code.code,
          error_description: code.description,
          pay_finish_at: now,
          card_ciphertext: null,
          authentication_result: JSON.stringify(finishedResult(url, false)),
        },
        event: { type: 'DECLINE', amount: 0 },
      };
    });
  }

  /** As docs/three-ds.md says: back to return_url with trans_id, order_id and status added. */
  private back(order: OrderRow): SubmitOutcome {
    return { kind: 'redirect', url: paymentReturnUrl(order), order };
  }
}

/**
 * A pending challenge's CVV is sealed under the card data key of its time. Should a key
 * rotation have retired that key meanwhile (challenges live minutes, rotation passes run
 * longer), the payment goes on without the CVV rather than failing the shopper.
 */
function openCvv(vault: Vault, sealed: string, challengeId: string): string | null {
  try {
    return vault.openText(sealed, `cvv/${challengeId}`);
  } catch {
    return null;
  }
}
