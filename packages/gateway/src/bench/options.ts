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

export interface BenchOptions {
  mix: Mix;
  store: StoreKind;
  concurrency: number;
  durationS: number;
  warmupS: number;
  ceiling: boolean;
  json: boolean;
  /** Pre-signing budget when no ceiling run says how fast the client can go (requests/s). */
  presignRate: number;
  /** Size every ceiling answer is padded to, in bytes. */
  answerBytes: number;
  /** An already running gateway; absent means the bench starts its own. */
  target?: ExternalTarget;
  /** Where the gateway child writes a V8 CPU profile (`node --cpu-prof`). */
  cpuProfDir?: string;
}

export interface ExternalTarget {
  url: string;
  merchantId: string;
  privateKeyFile: string;
  /** The merchant's client key: the encrypted mix fetches the gateway key with it. */
  clientKey?: string;
  /** The target's store, to count the orders this run created (optional). */
  dataDir?: string;
  databaseUrl?: string;
}

/** What commander collects, before any checking. */
export interface RawBenchOptions {
  mix?: string;
  store?: string;
  concurrency?: string;
  duration?: string;
  warmup?: string;
  ceiling?: boolean;
  json?: boolean;
  presignRate?: string;
  answerBytes?: string;
  url?: string;
  merchantId?: string;
  privateKey?: string;
  clientKey?: string;
  dataDir?: string;
  databaseUrl?: string;
  cpuProf?: string;
}

/**
 * Pre-signed timestamps must still be inside the gateway's ±5 min window when they are sent;
 * the ceiling run, the gateway run and the signing before them all fit in this.
 */
export const MAX_RUN_SECONDS = 240;

export const DEFAULTS = {
  mix: 'purchase',
  store: 'sqlite',
  concurrency: '16',
  duration: '10',
  warmup: '2',
  presignRate: '3000',
  answerBytes: '760',
} as const;

export class BenchOptionError extends Error {}

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
  const options: BenchOptions = {
    mix: oneOf(raw.mix ?? DEFAULTS.mix, '--mix', MIXES),
    store: oneOf(raw.store ?? DEFAULTS.store, '--store', ['sqlite', 'postgres'] as const),
    concurrency: integer(raw.concurrency ?? DEFAULTS.concurrency, '--concurrency', 1, 4096),
    durationS: parseSeconds(raw.duration ?? DEFAULTS.duration, '--duration', false),
    warmupS: parseSeconds(raw.warmup ?? DEFAULTS.warmup, '--warmup', true),
    ceiling: raw.ceiling ?? true,
    json: raw.json ?? false,
    presignRate: integer(raw.presignRate ?? DEFAULTS.presignRate, '--presign-rate', 1, 1_000_000),
    answerBytes: integer(raw.answerBytes ?? DEFAULTS.answerBytes, '--answer-bytes', 64, 1_000_000),
  };
  if (options.warmupS + options.durationS > MAX_RUN_SECONDS) {
    throw new BenchOptionError(
      `--warmup plus --duration must be at most ${MAX_RUN_SECONDS} s: requests are signed before the run and their timestamps must stay inside the gateway's ±5 min window`,
    );
  }
  if (raw.url !== undefined) {
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
    if (raw.clientKey !== undefined) options.target.clientKey = raw.clientKey;
    if (options.mix.startsWith('encrypted') && raw.clientKey === undefined) {
      throw new BenchOptionError(
        `--mix ${options.mix} with --url needs --client-key KEY (the merchant's client key, to fetch the gateway key)`,
      );
    }
    if (raw.dataDir !== undefined) options.target.dataDir = raw.dataDir;
    if (raw.databaseUrl !== undefined) options.target.databaseUrl = raw.databaseUrl;
  } else {
    for (const [flag, value] of [
      ['--merchant-id', raw.merchantId],
      ['--private-key', raw.privateKey],
      ['--client-key', raw.clientKey],
      ['--data-dir', raw.dataDir],
      ['--database-url', raw.databaseUrl],
    ] as const) {
      if (value !== undefined) throw new BenchOptionError(`${flag} only applies together with --url`);
    }
    if (raw.cpuProf !== undefined) options.cpuProfDir = raw.cpuProf;
  }
  return options;
}
