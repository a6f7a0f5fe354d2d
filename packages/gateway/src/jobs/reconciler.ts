/**
 * Unknown outcomes (docs/api.md#order-status-and-balances): an order left PROCESSING because the acquirer did not answer in
 * time, or because the process died between recording intent and recording the result. The
 * reconciler asks the acquirer what happened, on a backoff schedule, and records the answer
 * through the same path as a live authorization, so the order is completed exactly once.
 */
import type { Acquirer } from '../acquirer/types.ts';
import { type AuthorizationRecorder, authorizeRequest } from '../core/orders/authorization.ts';
import type { OrderRepo } from '../core/orders/repo.ts';
import type { OrderWriter } from '../core/orders/writer.ts';
import { detectBrand } from '../domain/card.ts';
import type { Clock } from '../domain/clock.ts';
import type { Vault } from '../vault/vault.ts';

export interface ReconcilerDeps {
  orders: OrderRepo;
  writer: OrderWriter;
  recorder: AuthorizationRecorder;
  acquirer: Acquirer;
  vault: Vault;
  clock: Clock;
  settings: { acquirerTimeoutMs: number; reconcileBackoffMs: readonly number[] };
}

export async function reconcileUnknownOutcomes(deps: ReconcilerDeps, batch = 50): Promise<number> {
  const { orders, clock, settings } = deps;
  const due = await orders.dueForReconcile(clock.now(), batch);
  let completed = 0;
  for (const orderId of due) {
    // Claim the attempt first: the next one is scheduled before asking, so a crash or a
    // second gateway process does not ask again until the backoff has passed.
    const { order: claimed, result: ours } = await deps.writer.mutateWith<true>(
      null,
      orderId,
      async (row) => {
        if (
          row.status !== 'PROCESSING' ||
          row.next_reconcile_at === null ||
          row.next_reconcile_at > clock.now()
        ) {
          return null;
        }
        const wait =
          settings.reconcileBackoffMs[
            Math.min(row.reconcile_attempts, settings.reconcileBackoffMs.length - 1)
          ]!;
        return {
          changes: { reconcile_attempts: row.reconcile_attempts + 1, next_reconcile_at: clock.now() + wait },
          result: true,
        };
      },
    );
    // Only the pass that made the claim asks. Another pass (or gateway) that listed the order as
    // due a moment earlier finds it claimed, and must not ask too: it used to go on regardless.
    if (!ours || claimed.status !== 'PROCESSING' || !claimed.card_ciphertext) continue;
    const card = deps.vault.decryptCard(claimed.card_ciphertext);
    const brand = detectBrand(card.pan);
    if (!brand) continue;
    let outcome: Awaited<ReturnType<Acquirer['authorizationOutcome']>>;
    try {
      outcome = await deps.acquirer.authorizationOutcome(
        authorizeRequest(claimed, { pan: card.pan, expMonth: card.exp_month, expYear: card.exp_year, brand }),
        AbortSignal.timeout(settings.acquirerTimeoutMs),
      );
    } catch {
      continue; // still unknown: asked again at next_reconcile_at
    }
    if (outcome === 'UNKNOWN') continue;
    await deps.recorder.record(orderId, outcome);
    completed++;
  }
  return completed;
}
