/**
 * One iteration of a mix against one endpoint: the pre-signed opening request, then for the
 * lifecycle mix the capture, refund and query, signed on the spot because they need the order
 * id of the first answer. Shared by the closed-loop slices and the open-loop steps.
 */
import type { KeyObject } from 'node:crypto';
import {
  CAPTURE_PATH,
  captureBody,
  judge,
  PAYMENT_PATH,
  QUERY_PATH,
  queryBody,
  REFUND_PATH,
  refundBody,
  STEPS,
  type Step,
  type Verdict,
} from './bodies.ts';
import { type Endpoint, type PostOutcome, post } from './http-post.ts';
import type { Mix } from './options.ts';
import { type SignedRequest, signRequest } from './signed-pool.ts';

export interface Signer {
  mix: Mix;
  merchantId: string;
  key: KeyObject;
}

/** What a run does with each answer; says whether it was ok (and the order id it named). */
export type Recorder = (step: Step, outcome: PostOutcome) => Verdict;

export function verdictOf(step: Step, outcome: PostOutcome): Verdict {
  return outcome.kind === 'failed'
    ? { ok: false, kind: `${step}: ${outcome.error}` }
    : judge(step, outcome.status, outcome.body);
}

/** Runs iterations of `signer.mix`; each resolves true when every step of it was ok. */
export function iterationOf(
  signer: Signer,
  target: Endpoint,
  record: Recorder,
): (request: SignedRequest) => Promise<boolean> {
  const steps = STEPS[signer.mix];
  const signedPost = async (path: string, bodyAt: (timestamp: number) => string) => {
    const timestamp = Date.now();
    const request = await signRequest(signer.merchantId, bodyAt(timestamp), timestamp, signer.key);
    return post(target, path, request.body, request.signature);
  };
  return async (request) => {
    const opening = record(steps[0]!, await post(target, PAYMENT_PATH, request.body, request.signature));
    if (!opening.ok) return false;
    if (steps.length === 1) return true;
    const orderId = opening.orderId;
    if (!orderId) return false;
    const transId = (JSON.parse(request.body.toString('utf8')) as { trans_id: string }).trans_id;
    const later: Array<[Step, string, (timestamp: number) => string]> = [
      ['capture', CAPTURE_PATH, (t) => captureBody(signer.merchantId, orderId, t)],
      ['refund', REFUND_PATH, (t) => refundBody(signer.merchantId, transId, orderId, t)],
      ['query', QUERY_PATH, (t) => queryBody(signer.merchantId, orderId, t)],
    ];
    for (const [step, path, body] of later) {
      if (!record(step, await signedPost(path, body)).ok) return false;
    }
    return true;
  };
}
