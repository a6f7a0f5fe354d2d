/**
 * The cards seeded orders are paid with: the simulator's approving and declining test cards,
 * fingerprinted and encrypted by this store's vault, so a seeded token pays again and a seeded
 * challenge, once passed, authorizes its card. A handful of card records serve every row: a
 * record names only the data key it is under, not the row it is in.
 */
import { TEST_CARDS } from '../acquirer/test-cards.ts';
import { detectBrand } from '../domain/card.ts';
import { BUSINESS_CODES } from '../domain/errors.ts';
import type { Vault } from '../vault/vault.ts';

export interface SeedCard {
  /** Its row in seed_cards: the approving cards first, then the declining ones. */
  index: number;
  bin: string;
  last4: string;
  brand: string;
  fingerprint: string;
  ciphertext: string;
  expMonth: number;
  expYear: number;
  /** The code its authorization is declined with; null for an approving card. */
  declineCode: string | null;
}

export function seedCards(vault: Vault, now: number): SeedCard[] {
  const expYear = new Date(now).getUTCFullYear() + 3;
  const schemeCards = Object.entries(TEST_CARDS).filter(([pan]) => {
    const brand = detectBrand(pan);
    return brand !== undefined && brand !== 'EFTPOS';
  });
  const approving = schemeCards.filter(([, b]) => b.kind === 'approve');
  const declining = schemeCards.flatMap(([pan, b]) =>
    b.kind === 'decline' ? [[pan, BUSINESS_CODES[b.reason].code] as const] : [],
  );
  const cards = [...approving.map(([pan]) => [pan, null] as const), ...declining];
  return cards.map(([pan, declineCode], index) => ({
    index,
    bin: pan.slice(0, 6),
    last4: pan.slice(-4),
    brand: detectBrand(pan)!,
    fingerprint: vault.fingerprint(pan),
    ciphertext: vault.encryptCard({ pan, exp_month: 12, exp_year: expYear }),
    expMonth: 12,
    expYear,
    declineCode,
  }));
}
