/**
 * The options of `openkka bench`, checked once into one typed value. Pure: commander hands
 * over its raw strings, this decides what they mean and refuses what cannot work.
 */
export type Mix = 'purchase' | 'lifecycle' | 'encrypted' | 'encrypted-p256';
export const MIXES = [
  'purchase',
  'lifecycle',
  'encrypted',
  'encrypted-p256',
] as const satisfies readonly Mix[];
export type StoreKind = 'sqlite' | 'postgres';
/** The PayKKa wire the load speaks (wire.ts). */
export type Protocol = 'v1.2' | 'v3';
export const PROTOCOLS = ['v1.2', 'v3'] as const satisfies readonly Protocol[];

export interface BenchOptions {
  mix: Mix;
  /** The wire every request goes over, to every side: the ceiling does that wire's work. */
  protocol: Protocol;
  store: StoreKind;
  /**
   * Gateway processes the bench starts on the one store (one PostgreSQL database, or one SQLite
   * data dir), each on its own port; the load is spread over them.
   */
  gateways: number;
  /** OPENKKA_WORKERS of every gateway process the bench starts. */
  workers: number;
  concurrency: number;
  /** Rounds of the interleaved measurement: one slice per side each. */
  pairs: number;
  /** Length of one timed slice, in seconds. */
  sliceS: number;
  warmupS: number;
  ceiling: boolean;
  /** Open-loop steps at fixed shares of the measured capacity, after the interleaved rounds. */
  loadCurve: boolean;
  /** Length of one load-curve step's timed window, in seconds. */
  stepS: number;
  /** Where to write the load curve as SVG. */
  chartFile?: string;
  /** A git ref whose gateway runs beside this one, interleaved (A/B). */
  compare?: string;
  /** A second mix sent to the same gateway, interleaved with `mix`: what `mix` costs against it. */
  compareMix?: Mix;
  json: boolean;
  /** Pre-signing budget when no ceiling run says how fast the client can go (requests/s). */
  presignRate: number;
  /** Size every ceiling answer is padded to, in bytes. */
  answerBytes: number;
  /** An already running gateway; absent means the bench starts its own. */
  target?: ExternalTarget;
  /** Where the gateway child writes a V8 CPU profile (`node --cpu-prof`). */
  cpuProfDir?: string;
  /** Orders `openkka seed` fills the fresh store with before the run (--preload). */
  preload?: number;
}

export interface ExternalTarget {
  url: string;
  merchantId: string;
  privateKeyFile: string;
  /** v3's `x-paykka-appid`, when the merchant was given an app id; its merchant id otherwise. */
  appId?: string;
  /** The merchant's client key: the encrypted mix fetches the gateway key with it. */
  clientKey?: string;
  /** The target's store, to count the orders this run created (optional). */
  dataDir?: string;
  databaseUrl?: string;
}

/** What commander collects, before any checking. */
export interface RawBenchOptions {
  mix?: string;
  protocol?: string;
  store?: string;
  gateways?: string;
  workers?: string;
  concurrency?: string;
  pairs?: string;
  slice?: string;
  /** Replaced by --pairs and --slice; still parsed so it can be refused with a pointer. */
  duration?: string;
  warmup?: string;
  ceiling?: boolean;
  loadCurve?: boolean;
  step?: string;
  chart?: string;
  compare?: string;
  compareMix?: string;
  json?: boolean;
  presignRate?: string;
  answerBytes?: string;
  url?: string;
  merchantId?: string;
  privateKey?: string;
  appId?: string;
  clientKey?: string;
  dataDir?: string;
  databaseUrl?: string;
  cpuProf?: string;
  preload?: string;
}

/**
 * Pre-signed timestamps must still be inside the gateway's ±5 min window when they are sent.
 * The load generator tops each side's pool up (and signs stale requests again) before every
 * slice, warm-up or load-curve step, so each of those fits in this on its own.
 */
export const MAX_RUN_SECONDS = 240;

/** Unmeasured load at the start of each slice and each load-curve step, in seconds. */
export const SLICE_LEAD_S = 0.25;
export const STEP_LEAD_S = 1;

export const DEFAULTS = {
  mix: 'purchase',
  protocol: 'v1.2',
  store: 'sqlite',
  gateways: '1',
  workers: '1',
  concurrency: '16',
  pairs: '60',
  slice: '2',
  warmup: '2',
  step: '5',
  presignRate: '3000',
} as const;

/**
 * The size of the ceiling's answers unless --answer-bytes says otherwise: a real openkka payment
 * answer's on each wire (v3's has no `"timestamp":…,` in `data`, 26 bytes less).
 */
export const DEFAULT_ANSWER_BYTES: Readonly<Record<Protocol, number>> = { 'v1.2': 760, v3: 734 };

export class BenchOptionError extends Error {}

/** The most orders --preload seeds: `openkka seed`'s own bound. */
export const MAX_PRELOAD = 100_000_000;

/** Bounds of --gateways and --workers: far above what one machine's cores can use. */
export const MAX_GATEWAYS = 16;
export const MAX_WORKERS = 64;

function integer(text: string, name: string, min: number, max: number): number {
  if (!/^\d+$/.test(text.trim())) throw new BenchOptionError(`${name}: "${text}" is not a whole number`);
  const value = Number(text);
  if (value < min || value > max) throw new BenchOptionError(`${name} must be from ${min} to ${max}`);
  return value;
}

/** Seconds, whole or decimal ("0.5"); zero only where `allowZero`. */
export function parseSeconds(text: string, name: string, allowZero: boolean): number {
  if (!/^\d+(\.\d+)?$/.test(text.trim()))
    throw new BenchOptionError(`${name}: "${text}" is not a number of seconds`);
  const value = Number(text);
  if (value === 0 && !allowZero) throw new BenchOptionError(`${name} must be more than 0 seconds`);
  return value;
}

function oneOf<T extends string>(text: string, name: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(text)) {
    throw new BenchOptionError(`${name}: "${text}" is not one of ${allowed.join(', ')}`);
  }
  return text as T;
}

export function resolveOptions(raw: RawBenchOptions): BenchOptions {
  const protocol = oneOf(raw.protocol ?? DEFAULTS.protocol, '--protocol', PROTOCOLS);
  const options: BenchOptions = {
    mix: oneOf(raw.mix ?? DEFAULTS.mix, '--mix', MIXES),
    protocol,
    store: oneOf(raw.store ?? DEFAULTS.store, '--store', ['sqlite', 'postgres'] as const),
    gateways: integer(raw.gateways ?? DEFAULTS.gateways, '--gateways', 1, MAX_GATEWAYS),
    workers: integer(raw.workers ?? DEFAULTS.workers, '--workers', 1, MAX_WORKERS),
    concurrency: integer(raw.concurrency ?? DEFAULTS.concurrency, '--concurrency', 1, 4096),
    pairs: integer(raw.pairs ?? DEFAULTS.pairs, '--pairs', 1, 1000),
    sliceS: parseSeconds(raw.slice ?? DEFAULTS.slice, '--slice', false),
    warmupS: parseSeconds(raw.warmup ?? DEFAULTS.warmup, '--warmup', true),
    ceiling: raw.ceiling ?? true,
    loadCurve: raw.loadCurve ?? false,
    stepS: parseSeconds(raw.step ?? DEFAULTS.step, '--step', false),
    json: raw.json ?? false,
    presignRate: integer(raw.presignRate ?? DEFAULTS.presignRate, '--presign-rate', 1, 1_000_000),
    answerBytes:
      raw.answerBytes === undefined
        ? DEFAULT_ANSWER_BYTES[protocol]
        : integer(raw.answerBytes, '--answer-bytes', 64, 1_000_000),
  };
  if (raw.duration !== undefined) {
    throw new BenchOptionError(
      '--duration is gone: the timed window is now --pairs N slices of --slice S seconds per side (default 60 × 2 s)',
    );
  }
  for (const [flag, seconds] of [
    ['--warmup', options.warmupS],
    ['--slice', options.sliceS + SLICE_LEAD_S],
    ['--step', options.stepS + STEP_LEAD_S],
  ] as const) {
    if (seconds > MAX_RUN_SECONDS) {
      throw new BenchOptionError(
        `${flag} must be under ${MAX_RUN_SECONDS} s: requests are signed before it starts and their timestamps must stay inside the gateway's ±5 min window`,
      );
    }
  }
  if (raw.chart !== undefined) {
    if (!options.loadCurve) throw new BenchOptionError('--chart FILE draws the load curve: add --load-curve');
    options.chartFile = raw.chart;
  }
  if (raw.step !== undefined && !options.loadCurve)
    throw new BenchOptionError('--step sets the length of a load-curve step: add --load-curve');
  if (raw.compare !== undefined) {
    if (raw.compare.trim() === '' || raw.compare.startsWith('-'))
      throw new BenchOptionError(`--compare: "${raw.compare}" is not a git ref`);
    if (!options.ceiling)
      throw new BenchOptionError(
        '--compare judges by ratios to the ceiling: it cannot run with --no-ceiling',
      );
    if (raw.url !== undefined)
      throw new BenchOptionError('--compare starts both gateways itself: it cannot run with --url');
    options.compare = raw.compare.trim();
  }
  if (raw.compareMix !== undefined) {
    const other = oneOf(raw.compareMix, '--compare-mix', MIXES);
    if (other === options.mix)
      throw new BenchOptionError(`--compare-mix ${other} is the --mix itself: name another mix`);
    if (!options.ceiling)
      throw new BenchOptionError(
        '--compare-mix judges each mix by its ratio to its own ceiling: it cannot run with --no-ceiling',
      );
    if (options.compare !== undefined)
      throw new BenchOptionError('--compare-mix and --compare each add a side: run them one at a time');
    options.compareMix = other;
  }
  if (raw.url !== undefined) {
    for (const [flag, value] of [
      ['--gateways', raw.gateways],
      ['--workers', raw.workers],
    ] as const) {
      if (value !== undefined)
        throw new BenchOptionError(
          `${flag} shapes the gateways the bench starts: it cannot run with --url (spread the load behind your own balancer)`,
        );
    }
    if (!/^https?:\/\/[^/]+/.test(raw.url))
      throw new BenchOptionError(`--url: "${raw.url}" is not an http(s) URL`);
    if (!raw.merchantId || !raw.privateKey) {
      throw new BenchOptionError(
        '--url needs --merchant-id ID and --private-key FILE (the merchant the load signs as)',
      );
    }
    if (raw.cpuProf !== undefined) {
      throw new BenchOptionError(
        '--cpu-prof profiles the gateway the bench starts; it cannot reach one given by --url',
      );
    }
    options.target = {
      url: raw.url.replace(/\/+$/, ''),
      merchantId: raw.merchantId,
      privateKeyFile: raw.privateKey,
    };
    if (raw.appId !== undefined) {
      if (options.protocol !== 'v3')
        throw new BenchOptionError('--app-id is the x-paykka-appid of v3 requests: add --protocol v3');
      if (!/^[\x21-\x7e]{1,64}$/.test(raw.appId))
        throw new BenchOptionError(`--app-id: "${raw.appId}" is not 1 to 64 visible ASCII characters`);
      options.target.appId = raw.appId;
    }
    if (raw.clientKey !== undefined) options.target.clientKey = raw.clientKey;
    for (const [flag, mix] of [
      ['--mix', options.mix],
      ['--compare-mix', options.compareMix],
    ] as const) {
      if (mix?.startsWith('encrypted') && raw.clientKey === undefined) {
        throw new BenchOptionError(
          `${flag} ${mix} with --url needs --client-key KEY (the merchant's client key, to fetch the gateway key)`,
        );
      }
    }
    if (raw.dataDir !== undefined) options.target.dataDir = raw.dataDir;
    if (raw.databaseUrl !== undefined) options.target.databaseUrl = raw.databaseUrl;
  } else {
    for (const [flag, value] of [
      ['--merchant-id', raw.merchantId],
      ['--private-key', raw.privateKey],
      ['--app-id', raw.appId],
      ['--client-key', raw.clientKey],
      ['--data-dir', raw.dataDir],
      ['--database-url', raw.databaseUrl],
    ] as const) {
      if (value !== undefined) throw new BenchOptionError(`${flag} only applies together with --url`);
    }
    if (raw.cpuProf !== undefined) options.cpuProfDir = raw.cpuProf;
  }
  if (raw.preload !== undefined) {
    if (options.target) {
      throw new BenchOptionError(
        '--preload fills the fresh store of a gateway the bench starts: fill the store behind --url with `openkka seed` first',
      );
    }
    options.preload = integer(raw.preload, '--preload', 1, MAX_PRELOAD);
  }
  return options;
}
