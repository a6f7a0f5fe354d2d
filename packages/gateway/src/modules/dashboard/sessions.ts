/**
 * The operator's dashboard sessions. The browser holds a random id; the store holds only its
 * SHA-256 and its expiry (a `settings` row), so every process of a cluster knows the session,
 * logout ends it everywhere, and the store's contents are not a usable cookie. The CSRF token
 * of a session is derived from its id, never stored.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../domain/clock.ts';
import type { Store } from '../../store/db.ts';

const PREFIX = 'dashboard_session:';
/** A form that acts once (it shows a private key): its id, claimed by the first post. */
const FORM_PREFIX = 'dashboard_form:';
/** How long a login lasts, however active the operator is: a stolen cookie ages out. */
export const SESSION_LIFETIME_MS = 12 * 3_600_000;
/** What a session id looks like in a cookie: 32 random bytes, base64url. */
const ID_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export class DashboardSessions {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /** A new session's id, valid for SESSION_LIFETIME_MS; expired sessions are dropped meanwhile. */
  async start(): Promise<string> {
    const now = this.clock.now();
    await this.pruneExpired(now);
    const id = randomBytes(32).toString('base64url');
    await this.store.writer
      .insertInto('settings')
      .values({ name: nameOf(id), value: String(now + SESSION_LIFETIME_MS) })
      .execute();
    return id;
  }

  /** Whether `id` names a session that has not ended or expired. */
  async valid(id: string | undefined): Promise<boolean> {
    if (id === undefined || !ID_SHAPE.test(id)) return false;
    const row = await this.store.reader
      .selectFrom('settings')
      .select('value')
      .where('name', '=', nameOf(id))
      .executeTakeFirst();
    return row !== undefined && Number(row.value) > this.clock.now();
  }

  async end(id: string | undefined): Promise<void> {
    if (id === undefined || !ID_SHAPE.test(id)) return;
    await this.store.writer.deleteFrom('settings').where('name', '=', nameOf(id)).execute();
  }

  /**
   * Claims a form's one-time id: true the first time, false for a repeat (a reload that posted
   * the form again), so what the form does, and the key it shows, happens once.
   */
  async claimForm(formId: string | null): Promise<boolean> {
    if (formId === null || !ID_SHAPE.test(formId)) return false;
    const claimed = await this.store.writer
      .insertInto('settings')
      .values({ name: FORM_PREFIX + digest(formId), value: String(this.clock.now() + SESSION_LIFETIME_MS) })
      .onConflict((oc) => oc.column('name').doNothing())
      .returning('name')
      .executeTakeFirst();
    return claimed !== undefined;
  }

  private async pruneExpired(now: number): Promise<void> {
    const rows = await this.store.reader
      .selectFrom('settings')
      .select(['name', 'value'])
      .where((eb) => eb.or([eb('name', 'like', `${PREFIX}%`), eb('name', 'like', `${FORM_PREFIX}%`)]))
      .execute();
    const expired = rows.filter((r) => Number(r.value) <= now).map((r) => r.name);
    if (expired.length > 0)
      await this.store.writer.deleteFrom('settings').where('name', 'in', expired).execute();
  }
}

/** The token every form of the session carries: only the session's holder can compute it. */
export function csrfToken(sessionId: string): string {
  return createHmac('sha256', sessionId).update('dashboard csrf').digest('base64url');
}

export function csrfMatches(sessionId: string, given: string | null | undefined): boolean {
  const expected = Buffer.from(csrfToken(sessionId));
  const actual = Buffer.from(given ?? '');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A new form's one-time id, the shape of a session id. */
export const newFormId = () => randomBytes(32).toString('base64url');

const digest = (id: string) => createHash('sha256').update(id).digest('base64url');
const nameOf = (id: string) => PREFIX + digest(id);
