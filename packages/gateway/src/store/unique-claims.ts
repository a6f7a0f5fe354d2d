/**
 * Claims decided by a primary key: a row (owner, proof, expires_at) is inserted once, and the
 * insert says whether this caller was first. Built for a claim on every request (the replay
 * guard's), so it takes the cheapest durable path on each store:
 *
 * - SQLite: the claims made in the same turn of the event loop are inserted in one small
 *   transaction of their own on the writer, at once, without a sync (sqlite-claims.ts): the
 *   writer sees them at once, so a concurrent duplicate is refused, and the caller's own writes
 *   commit later, in a group commit whose WAL sync takes the claims to disk first.
 * - PostgreSQL: the claims made in the same turn of the event loop go out as one statement
 *   (Batcher), each a round trip and a commit otherwise; its commit does not wait for a flush
 *   of its own (below).
 */
import { Batcher } from './batcher.ts';
import type { Store } from './db.ts';
import { prepare } from './prepared.ts';
import { SqliteClaims } from './sqlite-claims.ts';

export interface ClaimTable {
  table: string;
  /** Who the proof is unique for: the primary key is (owner, proof). */
  owner: string;
  proof: string;
}

interface Claim {
  owner: string;
  proof: string;
  expiresAt: number;
}

/** Batches on their way at once, and the most claims one carries (PostgreSQL). */
const BATCHING = { maxInFlight: 4, maxBatch: 500 };

export class UniqueClaims {
  private readonly sqlite?: SqliteClaims;
  private readonly postgres?: Batcher<Claim, boolean>;

  constructor(store: Store, { table, owner, proof }: ClaimTable) {
    const columns = `${owner}, ${proof}, expires_at`;
    if (store.raw.kind === 'sqlite') {
      this.sqlite = new SqliteClaims(
        store,
        `insert into ${table} (${columns}) values (?, ?, ?) on conflict do nothing`,
      );
      return;
    }
    // The claim commits without waiting for its WAL flush (synchronous_commit off for this
    // statement's transaction alone). Other sessions see it at once, so a concurrent duplicate
    // is still refused; and every later commit flushes the WAL up to itself, claim included, so
    // whatever the claimant then changed cannot outlive a crash that loses the claim.
    const statement = prepare(
      store,
      `claim_${table}`,
      `with async as (select set_config('synchronous_commit', 'off', true))
       insert into ${table} (${columns})
       select c.* from unnest(?::text[], ?::text[], ?::bigint[]) as c, async
       on conflict do nothing returning ${owner} as owner, ${proof} as proof`,
      'writer',
    );
    this.postgres = new Batcher(async (claims: Claim[]) => {
      const rows = await statement.all<{ owner: string; proof: string }>([
        claims.map((c) => c.owner),
        claims.map((c) => c.proof),
        claims.map((c) => c.expiresAt),
      ]);
      // Two equal claims in one statement insert one row: the first of them is the one that won.
      const inserted = new Set(rows.map((r) => keyOf(r.owner, r.proof)));
      return claims.map((c) => inserted.delete(keyOf(c.owner, c.proof)));
    }, BATCHING);
  }

  /** True when this caller inserted the row, false when it was there already. */
  async claim(owner: string, proof: string, expiresAt: number): Promise<boolean> {
    if (this.postgres) return this.postgres.submit({ owner, proof, expiresAt });
    return this.sqlite!.claim([owner, proof, expiresAt]);
  }
}

/** Neither part holds a NUL (the owners are ids checked before, the proofs visible ASCII). */
const keyOf = (owner: string, proof: string) => `${owner}\u0000${proof}`;
