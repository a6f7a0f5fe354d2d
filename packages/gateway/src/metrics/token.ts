/**
 * OPENKKA_METRICS_TOKEN: `Authorization: Bearer <token>` (the scheme in any case, RFC 9110).
 * Digests of equal length are compared in constant time, so neither the token's bytes nor its
 * length can be learnt from how long a refusal takes.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (text: string) => createHash('sha256').update(text).digest();

/** A check of Authorization headers against `token`, its digest made once. */
export function bearerCheck(token: string): (authorization: string | undefined) => boolean {
  const expected = digest(token);
  return (authorization) => {
    const given = /^bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? '')?.[1];
    return given !== undefined && timingSafeEqual(digest(given), expected);
  };
}
