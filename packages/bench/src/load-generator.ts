/**
 * The load generator: a child process of `openkka bench`, so the client's CPU is its own and
 * never the gateway's or the bench's. It keeps one pool of signed requests per side (each
 * gateway has its own merchant), signs when told (`prepare`, and before each run), runs the
 * closed-loop slices and the open-loop steps, and reports progress and results over IPC.
 */
import { randomBytes } from 'node:crypto';
import { toPrivateKey } from '@openkka/sdk/signing';
import { paymentBody } from './bodies.ts';
import { type LoadContext, runLoad } from './load-run.ts';
import { runOpenLoop } from './open-loop.ts';
import type { FromGenerator, OpenLoopCommand, RunCommand, ToGenerator, TopUpCommand } from './protocol.ts';
import { SignedPool } from './signed-pool.ts';
import { nonceSource, PATHS } from './wire.ts';

if (!process.send) throw new Error('the load generator runs as a child of `openkka bench`');

const send = (message: FromGenerator) => process.send!(message);

const pools = new Map<string, Omit<LoadContext, 'progress'>>();
/** One source for every pool and lifecycle step: no v3 nonce is sent twice by this process. */
const nonce = nonceSource(() => randomBytes(8).readBigUInt64BE());

function signingProgress(target: string) {
  return (done: number, total: number) =>
    send({
      type: 'progress',
      snapshot: { target, phase: 'signing', done, total, ok: 0, errors: 0, rate: null },
    });
}

/** The side's pool, topped up (outside any window) to what the command asks for. */
async function readyPool(command: RunCommand | OpenLoopCommand | TopUpCommand): Promise<LoadContext> {
  const state = pools.get(command.pool);
  if (!state) throw new Error(`run before prepare of pool ${command.pool}`);
  const count =
    command.type === 'top-up'
      ? state.pool.used + command.unused
      : command.type === 'run' && command.reuse
        ? command.ensure
        : state.pool.used + command.ensure;
  const label = command.type === 'top-up' ? command.pool : command.target;
  await state.pool.fill(count, command.maxAgeMs, signingProgress(label));
  return { ...state, progress: (snapshot) => send({ type: 'progress', snapshot }) };
}

async function handle(message: ToGenerator): Promise<void> {
  switch (message.type) {
    case 'prepare': {
      const key = toPrivateKey(message.privateKeyPem);
      const { mix, protocol, merchantId, appId, runId, encryptTo } = message;
      const signer = { mix, protocol, merchantId, appId, key, nonce };
      const pool = new SignedPool(signer, PATHS[protocol].pay, (n, timestamp) =>
        paymentBody(mix, signer, runId, n, timestamp, encryptTo),
      );
      pools.set(message.pool, { ...signer, pool });
      await pool.fill(message.count, Number.POSITIVE_INFINITY, signingProgress(message.pool));
      send({ type: 'prepared', count: pool.size });
      return;
    }
    case 'run': {
      const result = await runLoad(await readyPool(message), message);
      send({ type: 'result', result });
      return;
    }
    case 'top-up': {
      const { pool } = await readyPool(message);
      send({ type: 'prepared', count: pool.size });
      return;
    }
    case 'open-loop': {
      const result = await runOpenLoop(await readyPool(message), message);
      send({ type: 'open-loop-result', result });
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
