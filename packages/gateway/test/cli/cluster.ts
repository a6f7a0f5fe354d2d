/**
 * `openkka start --workers N` for tests: the start command, the JSON log lines its processes
 * write to the shared stderr (each carries its pid), which workers listen, which took
 * connections (debug level), and signed payments sent each on a connection of its own, so
 * node:cluster hands them to the workers in turn.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { OPENKKA_BIN } from '../../src/cli/executable.ts';
import { CEILING_MS, eventually } from '../helpers/eventually.ts';
import { type RawResponse, signBody } from '../helpers/raw.ts';
import { send } from '../security/raw-http.ts';
import { type ServerProcess, startServer } from './run-cli.ts';

/** `openkka start --workers <workers>` on PORT=0, resolved once the banner is printed. */
export function startCluster(
  env: Record<string, string>,
  workers: number | string = 2,
): Promise<ServerProcess> {
  return startServer(env, CEILING_MS, {
    command: process.execPath,
    args: [OPENKKA_BIN, 'start', '--workers', String(workers)],
  });
}

export interface LogLine {
  pid: number;
  msg: string;
  [field: string]: unknown;
}

/** The JSON log lines in `stderr` (anything else, such as a refusal, is left out). */
export function logLines(stderr: string): LogLine[] {
  return stderr.split('\n').flatMap((line) => {
    if (!line.startsWith('{')) return [];
    try {
      return [JSON.parse(line) as LogLine];
    } catch {
      return []; // a line still being written
    }
  });
}

/** The pids of the workers that said they listen, in that order (a restarted one is added). */
export function listeningPids(stderr: string): number[] {
  return logLines(stderr)
    .filter((l) => l.msg === 'openkka listening')
    .map((l) => l.pid);
}

/**
 * The pids of the `count` workers first started, once each has said it listens: their lines
 * come through stderr, which may trail the banner on stdout.
 */
export function workerPids(server: ServerProcess, count = 2): Promise<number[]> {
  return eventually(`${count} workers listening`, async () => {
    const pids = listeningPids(server.stderr());
    return pids.length >= count ? pids.slice(0, count) : undefined;
  });
}

/** How many connections each process took on `listener` (`public` or `admin`), by pid (OPENKKA_LOG_LEVEL=debug). */
export function connectionsByPid(stderr: string, listener = 'public'): Map<number, number> {
  const counts = new Map<number, number>();
  for (const line of logLines(stderr)) {
    if (line.msg === 'connection accepted' && line.listener === listener) {
      counts.set(line.pid, (counts.get(line.pid) ?? 0) + 1);
    }
  }
  return counts;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export interface Signer {
  merchantId: string;
  privateKey: KeyObject;
}

/** The demo merchant the banner names, with its private key. */
export function demoSigner(banner: string): Signer {
  const merchantId = /^Demo merchant: (\d{14})$/m.exec(banner)![1]!;
  const keyFile = /^Private key: +(.+)$/m.exec(banner)![1]!;
  return { merchantId, privateKey: createPrivateKey(readFileSync(keyFile)) };
}

/** A signed v1.2 request on a fresh connection. */
export function post(
  baseUrl: string,
  path: string,
  signer: Signer,
  fields: Record<string, unknown>,
): Promise<RawResponse> {
  const timestamp = Date.now();
  const body = JSON.stringify({ merchant_id: signer.merchantId, timestamp, ...fields });
  const signature = signBody(signer.merchantId, timestamp, body, signer.privateKey);
  return send(baseUrl, {
    path: `/apis${path}`,
    body,
    headers: { signature, type: 'RSA256', version: 'v1.2' },
  });
}
