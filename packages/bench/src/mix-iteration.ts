/**
 * One iteration of a mix against one endpoint: the pre-signed opening request, then for the
 * lifecycle mix the capture, refund and query, signed on the spot because they need the order
 * id of the first answer. Shared by the closed-loop slices and the open-loop steps.
 */
import { captureBody, judge, queryBody, refundBody, STEPS, type Step, type Verdict } from './bodies.ts';
import { type Endpoint, type PostOutcome, post } from './http-post.ts';
import type { Mix } from './options.ts';
import {
  type Operation,
  PATHS,
  type Protocol,
  type RequestSigner,
  type SignedRequest,
  signRequest,
} from './wire.ts';

export interface Signer extends RequestSigner {
  mix: Mix;
}

/** What a run does with each answer; says whether it was ok (and the order id it named). */
export type Recorder = (step: Step, outcome: PostOutcome) => Verdict;

/**
 * An answer is ok when `judge` says so and it is signed the way of the wire it was asked on:
 * a v3 request answered 000000 but signed the v1.2 way would not be a v3 answer.
 */
export function verdictOf(step: Step, outcome: PostOutcome, protocol: Protocol): Verdict {
  if (outcome.kind === 'failed') return { ok: false, kind: `${step}: ${outcome.error}` };
  const verdict = judge(step, outcome.status, outcome.body);
  if (verdict.ok && outcome.signedAs !== protocol) {
    return { ok: false, kind: `${step}: answer not signed the ${protocol} way` };
  }
  return verdict;
}

/** Runs iterations of `signer.mix`; each resolves true when every step of it was ok. */
export function iterationOf(
  signer: Signer,
  target: Endpoint,
  record: Recorder,
): (request: SignedRequest) => Promise<boolean> {
  const steps = STEPS[signer.mix];
  const paths = PATHS[signer.protocol];
  const signedPost = async (operation: Operation, bodyAt: (timestamp: number) => string) => {
    const timestamp = Date.now();
    return post(target, await signRequest(signer, paths[operation], bodyAt(timestamp), timestamp));
  };
  return async (request) => {
    const opening = record(steps[0]!, await post(target, request));
    if (!opening.ok) return false;
    if (steps.length === 1) return true;
    const orderId = opening.orderId;
    if (!orderId) return false;
    const transId = (JSON.parse(request.body.toString('utf8')) as { trans_id: string }).trans_id;
    const later: Array<[Step, Operation, (timestamp: number) => string]> = [
      ['capture', 'capture', (t) => captureBody(signer, orderId, t)],
      ['refund', 'refund', (t) => refundBody(signer, transId, orderId, t)],
      ['query', 'query', (t) => queryBody(signer, orderId, t)],
    ];
    for (const [step, operation, body] of later) {
      if (!record(step, await signedPost(operation, body)).ok) return false;
    }
    return true;
  };
}
