/**
 * The gateway under test, as its own processes: a bench merchant created through the CLI on a
 * fresh store, then `openkka start` on an OS-chosen port, found by its banner line, once or
 * (`--gateways K`) K times on the same store.
 */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { cleanEnv, runOpenkka, spawnOpenkka } from './children.ts';
import type { StoreLocation } from './orders.ts';

export interface BenchMerchant {
  merchantId: string;
  privateKeyFile: string;
  clientKey: string;
}

export interface GatewayProcess {
  url: string;
  pid: number;
  /** Warning and error lines the gateway logged (it runs at OPENKKA_LOG_LEVEL=warn). */
  logLines(): { count: number; tail: string[] };
  /** SIGTERM (a graceful shutdown, which also writes a --cpu-prof profile), SIGKILL after 15 s. */
  stop(): Promise<void>;
}

const LISTENING = /^openkka is listening on (\S+)/m;
const START_TIMEOUT_MS = 60_000;

export function gatewayEnv(dataDir: string, store: StoreLocation, workers: number): Record<string, string> {
  return cleanEnv({
    OPENKKA_DATA_DIR: dataDir,
    // Passed through as asked: a gateway that does not read it runs one process, as before.
    OPENKKA_WORKERS: String(workers),
    OPENKKA_LOG_LEVEL: 'warn',
    // The bench is one client sending as fast as the gateway answers: the limits that protect a
    // gateway from abusive clients (docs/security.md) would measure themselves, not the gateway.
    OPENKKA_RATE_LIMIT_IP: '0',
    OPENKKA_RATE_LIMIT_MERCHANT: '0',
    OPENKKA_MAX_CONNECTIONS_PER_IP: '0',
    ...(store.kind === 'postgres' ? { DATABASE_URL: store.url } : {}),
  });
}

export async function createBenchMerchant(
  env: Record<string, string>,
  dataDir: string,
  bin?: string,
): Promise<BenchMerchant> {
  const out = await runOpenkka(
    ['merchant', 'create', '--name', 'bench', '--generate-key', join(dataDir, 'bench-keys'), '--json'],
    env,
    bin,
  );
  const created = JSON.parse(out) as { merchant_id: string; private_key_file: string; client_key: string };
  return {
    merchantId: created.merchant_id,
    privateKeyFile: created.private_key_file,
    clientKey: created.client_key,
  };
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export async function startGateway(
  env: Record<string, string>,
  nodeArgs: string[],
  bin?: string,
): Promise<GatewayProcess> {
  const child = spawnOpenkka(['start'], { ...env, HOST: '127.0.0.1', PORT: '0' }, nodeArgs, bin);
  let stdout = '';
  let stderrCount = 0;
  const tail: string[] = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  let partial = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      stderrCount++;
      tail.push(line);
      if (tail.length > 10) tail.shift();
    }
  });

  const url = await new Promise<string>((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`openkka start ${why}; stderr:\n${[...tail, partial].join('\n')}`));
    };
    const timer = setTimeout(
      () => fail(`printed no banner within ${START_TIMEOUT_MS / 1000} s`),
      START_TIMEOUT_MS,
    );
    const check = () => {
      const found = LISTENING.exec(stdout)?.[1];
      if (!found) return;
      clearTimeout(timer);
      child.stdout!.off('data', check);
      child.off('exit', early);
      resolve(found);
    };
    const early = (code: number | null) => fail(`exited early (code ${code})`);
    child.stdout!.on('data', check);
    child.once('exit', early);
  });

  return {
    url,
    pid: child.pid!,
    logLines: () => ({ count: stderrCount, tail: [...tail] }),
    stop: async () => {
      child.kill('SIGTERM');
      if (!(await waitForExit(child, 15_000))) {
        child.kill('SIGKILL');
        await waitForExit(child, 5_000);
      }
    },
  };
}

/**
 * `count` gateways on one store, each on a port of its own, started together. If one fails to
 * start, the others are stopped before the failure is passed on.
 */
export async function startGateways(
  count: number,
  env: Record<string, string>,
  nodeArgs: string[],
  bin?: string,
): Promise<GatewayProcess[]> {
  const started = await Promise.allSettled(
    Array.from({ length: count }, () => startGateway(env, nodeArgs, bin)),
  );
  const up = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    await Promise.all(up.map((g) => g.stop()));
    throw failed.reason;
  }
  return up;
}
