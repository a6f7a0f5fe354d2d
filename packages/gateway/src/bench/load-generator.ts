/**
 * The load generator: a child process of `openkka bench`, so the client's CPU is its own and
 * never the gateway's or the bench's. It signs requests when told (`prepare`, and before each
 * `run`), runs the load, and reports progress and results over IPC.
 */
import type { KeyObject } from 'node:crypto';
import { toPrivateKey } from '@openkka/sdk/signing';
import { paymentBody } from './bodies.ts';
import { runLoad } from './load-run.ts';
import type { Mix } from './options.ts';
import type { FromGenerator, ToGenerator } from './protocol.ts';
import { SignedPool } from './signed-pool.ts';

if (!process.send) throw new Error('the load generator runs as a child of `openkka bench`');

const send = (message: FromGenerator) => process.send!(message);

let state: { mix: Mix; merchantId: string; key: KeyObject; pool: SignedPool } | undefined;

function signingProgress(target: string) {
  return (done: number, total: number) =>
    send({
      type: 'progress',
      snapshot: { target, phase: 'signing', done, total, ok: 0, errors: 0, rate: null },
    });
}

async function handle(message: ToGenerator): Promise<void> {
  switch (message.type) {
    case 'prepare': {
      const key = toPrivateKey(message.privateKeyPem);
      const { mix, merchantId, runId, encryptTo } = message;
      const pool = new SignedPool(merchantId, key, (n, timestamp) =>
        paymentBody(mix, merchantId, runId, n, timestamp, encryptTo),
      );
      state = { mix, merchantId, key, pool };
      await pool.fill(message.count, Number.POSITIVE_INFINITY, signingProgress('client'));
      send({ type: 'prepared', count: pool.size });
      return;
    }
    case 'run': {
      if (!state) throw new Error('run before prepare');
      const { pool } = state;
      await pool.fill(message.ensure, message.maxAgeMs, signingProgress(message.target));
      pool.rewind();
      const result = await runLoad(
        { ...state, progress: (snapshot) => send({ type: 'progress', snapshot }) },
        message,
      );
      send({ type: 'result', result });
      return;
    }
    case 'exit':
      process.exit(0);
  }
}

process.on('message', (message: ToGenerator) => {
  handle(message).catch((err: unknown) =>
    send({ type: 'failed', message: (err as Error).stack ?? String(err) }),
  );
});
// The bench is gone (crashed, killed): nothing left to report to.
process.on('disconnect', () => process.exit(0));
