/**
 * One bench: a fresh store and bench merchant, the gateway in its own process, pre-signed
 * requests, the ceiling run and then the openkka run by the same load generator, and the
 * orders counted in the store afterwards. Everything it created is removed at the end.
 */
import { createPublicKey, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fetchGatewayKey } from '@openkka/sdk/card-encryption';
import { type CardEncryptionTarget, STEPS, transIdPrefix } from './bodies.ts';
import { killAll } from './children.ts';
import { cpuSnapshot, otherCpuPercent, processTicks, TICKS_PER_SECOND } from './cpu-share.ts';
import { createBenchMerchant, type GatewayProcess, gatewayEnv, startGateway } from './gateway-process.ts';
import { GeneratorClient, startCeiling } from './generator-client.ts';
import type { BenchOptions } from './options.ts';
import { countOrders, type StoreLocation } from './orders.ts';
import { createBenchDatabase, DEFAULT_PG_ADMIN_URL } from './postgres.ts';
import { ProgressRenderer, type ProgressStream } from './progress.ts';
import type { LoadResult } from './protocol.ts';
import { type BenchReport, buildReport } from './report.ts';

/** The gateway's default signature window; requests must be sent this long after signing at most. */
const SIGNATURE_WINDOW_MS = 5 * 60_000;
const SAFETY_MS = 20_000;
/** The ceiling stores nothing and cycles through what is signed: this many are plenty. */
const CEILING_POOL = 2000;
/** Headroom over the fastest rate seen, when sizing the requests signed for the openkka run. */
const HEADROOM = 1.25;

type Cleanup = () => unknown;

interface Target {
  /** The external gateway's URL; a started one's comes with its process. */
  url: string | undefined;
  merchantId: string;
  privateKeyFile: string;
  clientKey: string | undefined;
  store: StoreLocation | undefined;
  storeLabel: string;
  /** The PostgreSQL database the bench created: its backends' CPU counts as the gateway's. */
  databaseName?: string;
  /** The gateway process, when the bench started it. */
  gateway: Promise<GatewayProcess> | undefined;
}

async function localTarget(options: BenchOptions, cleanups: Cleanup[]): Promise<Target> {
  const dataDir = mkdtempSync(join(tmpdir(), 'openkka-bench-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  let store: StoreLocation = { kind: 'sqlite', dataDir };
  let databaseName: string | undefined;
  if (options.store === 'postgres') {
    const database = await createBenchDatabase(process.env.OPENKKA_BENCH_PG_URL || DEFAULT_PG_ADMIN_URL);
    cleanups.push(() => database.drop());
    store = { kind: 'postgres', url: database.url };
    databaseName = database.name;
  }
  const env = gatewayEnv(dataDir, store);
  const merchant = await createBenchMerchant(env, dataDir);
  const nodeArgs = options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${resolve(options.cpuProfDir)}`] : [];
  // Starts while the load generator signs.
  const gateway = startGateway(env, nodeArgs);
  gateway.catch(() => undefined);
  // Stopped gracefully at the end, or killed with the other children if the bench fails.
  cleanups.push(() =>
    gateway.then(
      (g) => g.stop(),
      () => undefined,
    ),
  );
  return { ...merchant, url: undefined, store, storeLabel: options.store, gateway, databaseName };
}

function externalTarget(options: BenchOptions): Target {
  const t = options.target!;
  const store: StoreLocation | undefined = t.databaseUrl
    ? { kind: 'postgres', url: t.databaseUrl }
    : t.dataDir
      ? { kind: 'sqlite', dataDir: t.dataDir }
      : undefined;
  return {
    url: t.url,
    merchantId: t.merchantId,
    privateKeyFile: t.privateKeyFile,
    clientKey: t.clientKey,
    store,
    storeLabel: store?.kind ?? 'external',
    gateway: undefined,
  };
}

/**
 * The encrypted mixes encrypt to the key the target hands browsers (`GET /cp/keys/…`), so the
 * gateway must be up before the first body is made; the other mixes need nothing.
 */
async function encryptionTarget(
  options: BenchOptions,
  target: Target,
): Promise<CardEncryptionTarget | undefined> {
  if (!options.mix.startsWith('encrypted')) return undefined;
  const url = target.gateway ? (await target.gateway).url : target.url!;
  const clientKey = target.clientKey!;
  // `encrypted` takes the key's preferred half (X25519), as current browsers do; `encrypted-p256`
  // the P-256 half, as browsers without X25519 do.
  const curve = options.mix === 'encrypted-p256' ? 'P-256' : undefined;
  return { key: await fetchGatewayKey({ baseUrl: url, clientKey, ...(curve ? { curve } : {}) }), clientKey };
}

export async function runBench(options: BenchOptions, stderr: ProgressStream): Promise<BenchReport> {
  const runId = randomBytes(5).toString('hex');
  const cleanups: Cleanup[] = [];
  const progress = new ProgressRenderer(stderr);
  const loadBefore = loadavg().map((v) => Math.round(v * 100) / 100);
  let interrupted = false;
  const interrupt = () => {
    interrupted = true;
    killAll();
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);

  try {
    const target = options.target ? externalTarget(options) : await localTarget(options, cleanups);
    const privateKeyPem = readFileSync(target.privateKeyFile, 'utf8');
    const publicKeyPem = createPublicKey(privateKeyPem).export({ type: 'spki', format: 'pem' }).toString();

    const generator = new GeneratorClient((snapshot) => progress.update(snapshot));
    cleanups.push(() => generator.close());
    const runSeconds = options.warmupS + options.durationS;
    const common = {
      concurrency: options.concurrency,
      warmupS: options.warmupS,
      durationS: options.durationS,
      maxAgeMs: SIGNATURE_WINDOW_MS - SAFETY_MS - runSeconds * 1000,
    };
    const budget = Math.ceil(options.presignRate * runSeconds) + 4 * options.concurrency;
    const first = options.ceiling ? Math.min(CEILING_POOL, budget) : budget;
    const encryptTo = await encryptionTarget(options, target);
    await generator.prepare({
      merchantId: target.merchantId,
      privateKeyPem,
      mix: options.mix,
      runId,
      count: first,
      ...(encryptTo ? { encryptTo } : {}),
    });

    // Up and idle before anything is measured: its start-up (compiling, migrating) costs CPU.
    const gateway = target.gateway ? await target.gateway : undefined;
    const url = gateway ? gateway.url : target.url!;

    /** Runs the load with the CPU used by processes outside the bench measured around it. */
    const measured = async (command: Parameters<typeof generator.run>[0], extraPid?: number) => {
      const pids = [process.pid, generator.pid, gateway?.pid, extraPid].filter((p): p is number => !!p);
      const before = await cpuSnapshot(pids, target.databaseName);
      const result = await generator.run(command);
      return { result, otherCpu: otherCpuPercent(before, await cpuSnapshot(pids, target.databaseName)) };
    };

    let ceiling: LoadResult | null = null;
    let ceilingOtherCpu: number | null = null;
    let ensure = budget;
    if (options.ceiling) {
      const server = await startCeiling(publicKeyPem, options.answerBytes);
      try {
        const run = await measured(
          { ...common, target: 'ceiling', url: server.url, reuse: true, ensure: first },
          server.pid,
        );
        ceiling = run.result;
        ceilingOtherCpu = run.otherCpu;
      } finally {
        server.stop();
      }
      // openkka does more per request than the ceiling, so the ceiling's pace bounds how many
      // requests the openkka run can use; running out anyway is reported (signed_in_run).
      const firstSteps = ceiling.total.requests / STEPS[options.mix].length;
      ensure = Math.ceil(firstSteps * HEADROOM) + 4 * options.concurrency;
    }

    // The gateway's own CPU (and its PostgreSQL backends') over the run, per ok answer.
    const gatewayPids = gateway ? [gateway.pid] : [];
    const ticksBefore = gateway ? await processTicks(gatewayPids, target.databaseName) : null;
    const { result: openkka, otherCpu } = await measured({
      ...common,
      target: 'openkka',
      url,
      reuse: false,
      ensure,
    });
    const ticksAfter = gateway ? await processTicks(gatewayPids, target.databaseName) : null;
    const gatewayCpuMs =
      ticksBefore === null || ticksAfter === null
        ? null
        : ((ticksAfter - ticksBefore) * 1000) / TICKS_PER_SECOND;
    const maxRssMb = gateway ? gateway.rss.stop() : null;
    const gatewayLogLines = gateway ? gateway.logLines().count : null;
    // A graceful stop first: every answered payment is committed, and the SQLite WAL is merged.
    await gateway?.stop();
    const ordersInStore = target.store
      ? await countOrders(target.store, target.merchantId, transIdPrefix(runId))
      : null;
    return buildReport({
      options,
      storeLabel: target.storeLabel,
      openkka,
      ceiling,
      ordersInStore,
      maxRssMb,
      gatewayLogLines,
      loadavg: loadBefore,
      otherCpuPct: otherCpu,
      gatewayCpuMs,
      ceilingOtherCpuPct: ceilingOtherCpu,
    });
  } catch (err) {
    if (interrupted) throw new Error('interrupted');
    throw err;
  } finally {
    progress.finish();
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (err) {
        stderr.write(`openkka bench: cleanup failed: ${(err as Error).message}\n`);
      }
    }
    killAll();
  }
}
