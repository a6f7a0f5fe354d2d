/**
 * One bench: a fresh store and bench merchant, the gateway in its own process, or --gateways of
 * them on that store (and, with --compare, another checkout's beside them on a store of their
 * own), the ceiling server, pre-signed requests, the interleaved rounds by one load generator,
 * the optional load curve, and the orders counted in each store afterwards. Everything it
 * created is removed at the end.
 */
import { createPublicKey, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fetchGatewayKey } from '@openkka/sdk/card-encryption';
import { type CardEncryptionTarget, transIdPrefix } from './bodies.ts';
import { killAll } from './children.ts';
import { otherCpuPercent, TICKS_PER_SECOND } from './cpu-share.ts';
import { curveChartSvg } from './curve-chart.ts';
import { createBenchMerchant, type GatewayProcess, gatewayEnv, startGateways } from './gateway-process.ts';
import { GeneratorClient, startCeiling } from './generator-client.ts';
import { interleave, type Side, type SideRecord } from './interleave.ts';
import { type CurveStep, loadCurve } from './load-curve.ts';
import {
  compareMixReport,
  OTHER_MIX_CEILING_POOL,
  OTHER_MIX_POOL,
  type OtherMixFigures,
  otherMixSides,
} from './mix-comparison.ts';
import { type BenchOptions, type Mix, SLICE_LEAD_S, STEP_LEAD_S } from './options.ts';
import { countOrders, type StoreLocation } from './orders.ts';
import { createBenchDatabase, DEFAULT_PG_ADMIN_URL } from './postgres.ts';
import { type PreloadSummary, preloadStore } from './preload.ts';
import { ProgressRenderer, type ProgressStream } from './progress.ts';
import type { LoadResult } from './protocol.ts';
import { checkoutRef } from './ref-checkout.ts';
import {
  type BenchReport,
  buildReport,
  type CompareMixReport,
  type CompareReport,
  cpuPerOk,
  sideReport,
} from './report.ts';
import { RssSampler } from './rss.ts';
import { mergeSlices, okPerSecond } from './slice-merge.ts';
import { roundDifferences, roundRatios, type Spread, spread } from './spread.ts';

/** The gateway's default signature window; requests must be sent this long after signing at most. */
const SIGNATURE_WINDOW_MS = 5 * 60_000;
const SAFETY_MS = 20_000;
/** The ceiling stores nothing and cycles through what is signed: this many are plenty. */
const CEILING_POOL = 2000;
/** How old a pre-signed request may be when a run of `seconds` starts, to be sent in time. */
const maxAgeMs = (seconds: number) => SIGNATURE_WINDOW_MS - SAFETY_MS - seconds * 1000;

type Cleanup = () => unknown;

interface Target {
  /** The external gateway's URL; a started one's comes with its process. */
  url: string | undefined;
  merchantId: string;
  /** v3's `x-paykka-appid`: the merchant id, unless --app-id names another. */
  appId: string;
  privateKeyFile: string;
  clientKey: string | undefined;
  store: StoreLocation | undefined;
  storeLabel: string;
  /** The PostgreSQL database the bench created: its backends' CPU counts as the gateway's. */
  databaseName?: string;
  /** What --preload seeded into its store. */
  preloaded?: PreloadSummary;
  /** The gateway processes (--gateways of them), when the bench started them. */
  gateways: Promise<GatewayProcess[]> | undefined;
}

/** The gateways the bench starts on a fresh store: this checkout's, or another's `bin`. */
async function localTarget(options: BenchOptions, cleanups: Cleanup[], bin?: string): Promise<Target> {
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
  // On PostgreSQL the gateways share the data dir too, for the master key the merchant was made under.
  const env = gatewayEnv(dataDir, store, options.workers);
  const merchant = await createBenchMerchant(env, dataDir, bin);
  // Filled before the gateway starts: the seed must be the store's only writer.
  const preloaded = options.preload
    ? await preloadStore(options.preload, merchant.merchantId, env, process.stderr, bin)
    : undefined;
  const nodeArgs =
    options.cpuProfDir && !bin ? ['--cpu-prof', `--cpu-prof-dir=${resolve(options.cpuProfDir)}`] : [];
  // Start while the load generator signs.
  const gateways = startGateways(options.gateways, env, nodeArgs, bin);
  gateways.catch(() => undefined);
  // Stopped gracefully at the end, or killed with the other children if the bench fails.
  cleanups.push(() =>
    gateways.then(
      (all) => Promise.all(all.map((g) => g.stop())),
      () => undefined,
    ),
  );
  return {
    ...merchant,
    appId: merchant.merchantId,
    url: undefined,
    store,
    storeLabel: options.store,
    gateways,
    databaseName,
    preloaded,
  };
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
    appId: t.appId ?? t.merchantId,
    privateKeyFile: t.privateKeyFile,
    clientKey: t.clientKey,
    store,
    storeLabel: store?.kind ?? 'external',
    gateways: undefined,
  };
}

/**
 * The encrypted mixes encrypt to the key the target hands browsers (`GET /cp/keys/…`), so the
 * gateway must be up before the first body is made; the other mixes need nothing.
 */
async function encryptionTarget(mix: Mix, target: Target): Promise<CardEncryptionTarget | undefined> {
  if (!mix.startsWith('encrypted')) return undefined;
  // Every gateway on the store hands out the same key: the first one is asked.
  const url = target.gateways ? (await target.gateways)[0]!.url : target.url!;
  const clientKey = target.clientKey!;
  // `encrypted` takes the key's preferred half (X25519), as current browsers do; `encrypted-p256`
  // the P-256 half, as browsers without X25519 do.
  const curve = mix === 'encrypted-p256' ? 'P-256' : undefined;
  return { key: await fetchGatewayKey({ baseUrl: url, clientKey, ...(curve ? { curve } : {}) }), clientKey };
}

/** One gateway side's figures: its slices merged, its CPU, its orders. */
interface GatewayFigures {
  merged: LoadResult;
  record: SideRecord;
  cpuMsPerOk: number | null;
}

function gatewayFigures(name: string, record: SideRecord): GatewayFigures {
  const merged = mergeSlices(name, record.slices, record.warmup ? [record.warmup] : []);
  const timedOk = record.slices.reduce((sum, s) => sum + s.total.ok, 0);
  const cpuMs = record.ownTicks === null ? null : (record.ownTicks * 1000) / TICKS_PER_SECOND;
  return { merged, record, cpuMsPerOk: cpuPerOk(cpuMs, timedOk) };
}

const cpuShare = (record: SideRecord | undefined) =>
  record?.cpu ? otherCpuPercent({ total: 0, busy: 0, ours: 0 }, record.cpu) : null;

function gatewaySide(name: string, target: Target, gateways: GatewayProcess[] | undefined): Side {
  return {
    name,
    urls: gateways ? gateways.map((g) => g.url) : [target.url!],
    pool: name,
    reuse: false,
    pids: gateways ? gateways.map((g) => g.pid) : [],
    databaseNames: target.databaseName ? [target.databaseName] : [],
  };
}

export async function runBench(options: BenchOptions, stderr: ProgressStream): Promise<BenchReport> {
  const runId = randomBytes(5).toString('hex');
  // The second mix's payments get trans_ids of their own, to be counted apart.
  const otherRunId = randomBytes(5).toString('hex');
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
    let ref: { target: Target; ref: string; commit: string } | undefined;
    if (options.compare) {
      const checkout = await checkoutRef(options.compare, (line) => stderr.write(`${line}\n`));
      // Removed after the gateways have stopped (cleanups run in reverse).
      cleanups.push(() => checkout.remove());
      ref = {
        target: await localTarget(options, cleanups, checkout.bin),
        ref: checkout.ref,
        commit: checkout.commit,
      };
    }
    const privateKeyPem = readFileSync(target.privateKeyFile, 'utf8');
    const publicKeyPem = createPublicKey(privateKeyPem).export({ type: 'spki', format: 'pem' }).toString();

    const generator = new GeneratorClient((snapshot) => progress.update(snapshot));
    cleanups.push(() => generator.close());
    // With a ceiling, its warm-up goes first and its pace sizes every later top-up; without
    // one, the first gateway run is signed for at --presign-rate.
    const first = options.ceiling
      ? 4 * options.concurrency
      : Math.ceil(options.presignRate * (options.warmupS + options.sliceS)) + 4 * options.concurrency;
    const prepare = async (pool: string, t: Target, count: number, mix = options.mix, id = runId) => {
      const encryptTo = await encryptionTarget(mix, t);
      await generator.prepare({
        pool,
        merchantId: t.merchantId,
        appId: t.appId,
        privateKeyPem: readFileSync(t.privateKeyFile, 'utf8'),
        mix,
        protocol: options.protocol,
        runId: id,
        count,
        ...(encryptTo ? { encryptTo } : {}),
      });
    };
    await prepare('openkka', target, first);
    if (ref) await prepare('ref', ref.target, first);
    if (options.ceiling) await prepare('ceiling', target, CEILING_POOL);
    const otherMix = options.compareMix;
    if (otherMix) {
      await prepare(OTHER_MIX_POOL, target, first, otherMix, otherRunId);
      await prepare(OTHER_MIX_CEILING_POOL, target, CEILING_POOL, otherMix, otherRunId);
    }

    const ceilingServer = options.ceiling ? await startCeiling(publicKeyPem, options.answerBytes) : undefined;
    if (ceilingServer) cleanups.push(() => ceilingServer.stop());
    // Up and idle before anything is measured: its start-up (compiling, migrating) costs CPU.
    const gateways = target.gateways ? await target.gateways : undefined;
    const refGateways = ref ? await ref.target.gateways! : undefined;
    const rss = gateways ? new RssSampler(gateways.map((g) => g.pid)) : undefined;
    const refRss = refGateways ? new RssSampler(refGateways.map((g) => g.pid)) : undefined;

    const sides: Side[] = [gatewaySide('openkka', target, gateways)];
    if (ref && refGateways) sides.push(gatewaySide('ref', ref.target, refGateways));
    const ceilingSide: Side | undefined = ceilingServer && {
      name: 'ceiling',
      urls: [ceilingServer.url],
      pool: 'ceiling',
      reuse: true,
      pids: ceilingServer.pid ? [ceilingServer.pid] : [],
      databaseNames: [],
    };
    if (ceilingSide) sides.push(ceilingSide);
    if (otherMix) sides.push(...otherMixSides(otherMix, sides[0]!, ceilingSide));
    const records = await interleave(
      generator,
      sides,
      {
        mix: options.mix,
        concurrency: options.concurrency,
        rounds: options.pairs,
        sliceS: options.sliceS,
        leadS: SLICE_LEAD_S,
        warmupS: options.warmupS,
        presignRate: options.presignRate,
        reusePool: CEILING_POOL,
        maxAgeMs,
      },
      [process.pid, generator.pid].filter((p): p is number => !!p),
    );

    const ours = gatewayFigures('openkka', records.get('openkka')!);
    const ceilingRecord = records.get('ceiling');
    const ceiling = ceilingRecord ? mergeSlices('ceiling', ceilingRecord.slices, []) : null;
    const ceilingRates = ceilingRecord ? okPerSecond(ceilingRecord.slices) : null;
    const roundRatioList = ceilingRates ? roundRatios(okPerSecond(ours.record.slices), ceilingRates) : [];
    const ratios: Spread | null = spread(roundRatioList);

    let curve: CurveStep[] | null = null;
    if (options.loadCurve) {
      curve = await loadCurve(generator, sides[0]!, {
        capacity: ours.merged.window.iterations_per_s,
        stepS: options.stepS,
        leadS: STEP_LEAD_S,
        maxAgeMs,
      });
      if (options.chartFile) {
        const title = `openkka ${options.mix} mix over ${options.protocol}, ${target.storeLabel}: latency at load (open loop)`;
        writeFileSync(options.chartFile, curveChartSvg(curve, title));
      }
    }

    const maxRssMb = rss ? rss.stop() : null;
    refRss?.stop();
    const gatewayLogLines = gateways ? gateways.reduce((sum, g) => sum + g.logLines().count, 0) : null;
    // A graceful stop first: every answered payment is committed, and the SQLite WAL is merged.
    await Promise.all([...(gateways ?? []), ...(refGateways ?? [])].map((g) => g.stop()));
    const count = (t: Target) =>
      t.store ? countOrders(t.store, t.merchantId, transIdPrefix(runId)) : Promise.resolve(null);
    const ordersInStore = await count(target);

    let compareMix: CompareMixReport | null = null;
    if (otherMix && ceilingRecord) {
      const theirs = gatewayFigures(OTHER_MIX_POOL, records.get(OTHER_MIX_POOL)!);
      const theirCeiling = records.get(OTHER_MIX_CEILING_POOL)!;
      const figures: OtherMixFigures = {
        mix: otherMix,
        merged: theirs.merged,
        ceiling: mergeSlices(OTHER_MIX_CEILING_POOL, theirCeiling.slices, []),
        cpuMsPerOk: theirs.cpuMsPerOk,
        ordersInStore: target.store
          ? await countOrders(target.store, target.merchantId, transIdPrefix(otherRunId))
          : null,
      };
      compareMix = compareMixReport(
        { record: ours.record, ceiling: ceilingRecord },
        { record: theirs.record, ceiling: theirCeiling },
        figures,
      );
    }

    let compare: CompareReport | null = null;
    if (ref) {
      const theirs = gatewayFigures('ref', records.get('ref')!);
      const theirRatios = ceilingRates
        ? spread(roundRatios(okPerSecond(theirs.record.slices), ceilingRates))
        : null;
      const diffs = ceilingRates
        ? spread(
            roundDifferences(
              okPerSecond(ours.record.slices),
              okPerSecond(theirs.record.slices),
              ceilingRates,
            ),
          )
        : null;
      compare = {
        ref: ref.ref,
        commit: ref.commit,
        ...sideReport(theirs.merged, theirRatios, await count(ref.target), theirs.cpuMsPerOk),
        diff: diffs?.median ?? null,
        diff_p10: diffs?.p10 ?? null,
        diff_p90: diffs?.p90 ?? null,
      };
    }
    return buildReport({
      options,
      storeLabel: target.storeLabel,
      preloaded: target.preloaded ?? null,
      openkka: ours.merged,
      ceiling,
      ordersInStore,
      maxRssMb,
      gatewayLogLines,
      loadavg: loadBefore,
      otherCpuPct: cpuShare(ours.record),
      gatewayCpuMsPerOk: ours.cpuMsPerOk,
      ceilingOtherCpuPct: cpuShare(ceilingRecord),
      ratios,
      roundRatios: roundRatioList,
      curve,
      compare,
      compareMix,
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
