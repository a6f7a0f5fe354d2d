/**
 * The sandbox issuer's one-time code (docs/three-ds.md#the-code-at-rest). It is not stored: it
 * is derived from the challenge id under a vault key, so the page can show it for the whole
 * challenge while a copy of the database, without the master key, neither holds it nor lets a
 * guess be tested. A challenge made before migration 018 keeps the plain code it was shown
 * (`legacy_otp`) until it ends.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Vault } from '../../vault/vault.ts';
import type { ChallengeRow } from './repo.ts';

/** The vault purpose the codes are derived under; changing it changes every pending code. */
const PURPOSE = '3ds-code';
const CODES = 1_000_000n;

export function challengeCode(vault: Vault, challenge: Pick<ChallengeRow, 'challenge_id' | 'legacy_otp'>) {
  if (challenge.legacy_otp) return challenge.legacy_otp;
  // 64 bits reduced to six digits: the bias is below 1e-13, no code is likelier than another.
  const n = vault.mac(PURPOSE, challenge.challenge_id).readBigUInt64BE(0) % CODES;
  return n.toString().padStart(6, '0');
}

/** Compares equal-length digests, so the time taken says nothing about where a guess differs. */
export function codeMatches(expected: string, given: string): boolean {
  return timingSafeEqual(digest(expected), digest(given));
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
