/**
 * The authentication_result of a simulated 3-D Secure 2 challenge, with the fields PayKKa's
 * notifications carry (eci, version, authentication_status…) and plausible values.
 */
import { randomBytes } from 'node:crypto';

export function pendingResult(authenticationUrl: string): Record<string, unknown> {
  return { authentication_url: authenticationUrl, enroll_status: 'Y', version: '2.2.0', mode: 'CHALLENGE' };
}

export function finishedResult(authenticationUrl: string, passed: boolean): Record<string, unknown> {
  return {
    authentication_url: authenticationUrl,
    enroll_status: 'Y',
    version: '2.2.0',
    mode: 'CHALLENGE',
    authentication_status: passed ? 'Y' : 'N',
    eci: passed ? '05' : '07',
    ...(passed ? { cryptogram: randomBytes(20).toString('base64') } : {}),
    xid: randomBytes(16).toString('hex'),
    upgraded: false,
    downgraded: false,
    exemption_applied: false,
  };
}
