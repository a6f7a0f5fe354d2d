/**
 * The acquirer as the services see it, with every call timed: a decorator built in app.ts, so
 * the acquirer (and any connector written to its interface) knows nothing of metrics. A call
 * that rejects after its AbortSignal timed out is a timeout; any other rejection an error.
 */
import type { Acquirer } from '../acquirer/types.ts';
import type { GatewayMetrics } from './registry.ts';

type Operation = 'authorize' | 'authorization_outcome' | 'refund';

export function measuredAcquirer(acquirer: Acquirer, metrics: GatewayMetrics): Acquirer {
  const duration = {
    authorize: metrics.acquirerDuration.labels('authorize'),
    authorization_outcome: metrics.acquirerDuration.labels('authorization_outcome'),
    refund: metrics.acquirerDuration.labels('refund'),
    authorize_in_process: metrics.acquirerDuration.labels('authorize_in_process'),
    refund_in_process: metrics.acquirerDuration.labels('refund_in_process'),
  };
  const timed = async <T>(operation: Operation, signal: AbortSignal, call: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await call();
    } catch (err) {
      const timedOut = signal.aborted && (signal.reason as Error | undefined)?.name === 'TimeoutError';
      (timedOut ? metrics.acquirerTimeouts : metrics.acquirerErrors).labels(operation).inc();
      throw err;
    } finally {
      duration[operation].observe((performance.now() - started) / 1000);
    }
  };
  // Only an answer given at once is timed: null means "ask authorize", which is timed there.
  const atOnce = <R>(kind: 'authorize_in_process' | 'refund_in_process', call: () => R | null): R | null => {
    const started = performance.now();
    const answer = call();
    if (answer !== null) duration[kind].observe((performance.now() - started) / 1000);
    return answer;
  };
  const { answerInProcess, refundInProcess } = acquirer;
  return {
    authorize: (request, signal) => timed('authorize', signal, () => acquirer.authorize(request, signal)),
    authorizationOutcome: (request, signal) =>
      timed('authorization_outcome', signal, () => acquirer.authorizationOutcome(request, signal)),
    challengeRequired: (pan) => acquirer.challengeRequired(pan),
    refund: (request, signal) => timed('refund', signal, () => acquirer.refund(request, signal)),
    // The optional capabilities stay absent when the acquirer has none (a networked connector).
    ...(answerInProcess && {
      answerInProcess: (request) =>
        atOnce('authorize_in_process', () => answerInProcess.call(acquirer, request)),
    }),
    ...(refundInProcess && {
      refundInProcess: (request) =>
        atOnce('refund_in_process', () => refundInProcess.call(acquirer, request)),
    }),
  };
}
