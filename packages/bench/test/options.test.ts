// `openkka bench` options: defaults, parsing, and the combinations that cannot work.
import { describe, expect, it } from 'vitest';
import { BenchOptionError, MAX_RUN_SECONDS, parseSeconds, resolveOptions } from '../src/options.ts';

describe('resolveOptions', () => {
  it('defaults to the purchase mix on SQLite, one gateway process of one worker, 16 in flight, 60 rounds of 2 s slices after a 2 s warm-up, with the ceiling', () => {
    expect(resolveOptions({})).toEqual({
      mix: 'purchase',
      protocol: 'v1.2',
      store: 'sqlite',
      gateways: 1,
      workers: 1,
      concurrency: 16,
      pairs: 60,
      sliceS: 2,
      warmupS: 2,
      ceiling: true,
      loadCurve: false,
      stepS: 5,
      json: false,
      presignRate: 3000,
      answerBytes: 760,
    });
  });

  it('reads every flag', () => {
    const options = resolveOptions({
      mix: 'lifecycle',
      protocol: 'v3',
      store: 'postgres',
      gateways: '3',
      workers: '2',
      concurrency: '64',
      pairs: '20',
      slice: '1.5',
      warmup: '0.5',
      ceiling: false,
      loadCurve: true,
      step: '3',
      chart: 'curve.svg',
      json: true,
      presignRate: '500',
      answerBytes: '1024',
      cpuProf: 'profiles',
    });
    expect(options).toMatchObject({
      mix: 'lifecycle',
      protocol: 'v3',
      store: 'postgres',
      gateways: 3,
      workers: 2,
      concurrency: 64,
      pairs: 20,
      sliceS: 1.5,
      warmupS: 0.5,
      ceiling: false,
      loadCurve: true,
      stepS: 3,
      chartFile: 'curve.svg',
      json: true,
      presignRate: 500,
      answerBytes: 1024,
      cpuProfDir: 'profiles',
    });
    expect(options.target).toBeUndefined();
  });

  it.each([
    [{ mix: 'refunds' }, /--mix: "refunds" is not one of purchase, lifecycle/],
    [{ store: 'mysql' }, /--store/],
    [{ protocol: 'v2' }, /--protocol: "v2" is not one of v1.2, v3/],
    [{ concurrency: '0' }, /--concurrency must be from 1/],
    [{ concurrency: '2.5' }, /not a whole number/],
    [{ concurrency: '-3' }, /not a whole number/],
    [{ pairs: '0' }, /--pairs must be from 1/],
    [{ pairs: 'ten' }, /--pairs: "ten" is not a whole number/],
    [{ slice: '0' }, /--slice must be more than 0/],
    [{ slice: '2s' }, /--slice: "2s" is not a number of seconds/],
    [{ duration: '10' }, /--duration is gone: .*--pairs N slices of --slice S/],
    [{ loadCurve: true, step: '0' }, /--step must be more than 0/],
    [{ step: '5' }, /--step .*add --load-curve/],
    [{ chart: 'c.svg' }, /--chart FILE draws the load curve: add --load-curve/],
    [{ compare: '' }, /--compare: "" is not a git ref/],
    [{ compare: '--json' }, /is not a git ref/],
    [{ compare: 'HEAD~1', ceiling: false }, /cannot run with --no-ceiling/],
    [{ compareMix: 'cards' }, /--compare-mix: "cards" is not one of purchase, lifecycle/],
    [{ compareMix: 'purchase' }, /--compare-mix purchase is the --mix itself/],
    [
      { mix: 'encrypted', compareMix: 'purchase', ceiling: false },
      /--compare-mix .*cannot run with --no-ceiling/,
    ],
    [{ mix: 'encrypted', compareMix: 'purchase', compare: 'HEAD~1' }, /run them one at a time/],
    [{ warmup: '-1' }, /not a number of seconds/],
    [{ answerBytes: '10' }, /--answer-bytes must be from 64/],
    [{ store: 'postgres', gateways: '0' }, /--gateways must be from 1 to 16/],
    [{ store: 'postgres', gateways: '17' }, /--gateways must be from 1 to 16/],
    [{ store: 'postgres', gateways: 'two' }, /--gateways: "two" is not a whole number/],
    [{ workers: '0' }, /--workers must be from 1 to 64/],
    [{ workers: '1.5' }, /--workers: "1.5" is not a whole number/],
  ])('refuses %j', (raw, message) => {
    expect(() => resolveOptions(raw)).toThrow(BenchOptionError);
    expect(() => resolveOptions(raw)).toThrow(message);
  });

  it('allows no warm-up, but no slice, warm-up or step longer than pre-signed timestamps stay valid', () => {
    expect(resolveOptions({ warmup: '0' }).warmupS).toBe(0);
    expect(resolveOptions({ slice: String(MAX_RUN_SECONDS - 2) }).sliceS).toBe(MAX_RUN_SECONDS - 2);
    expect(() => resolveOptions({ slice: String(MAX_RUN_SECONDS) })).toThrow(/--slice .*±5 min window/);
    expect(() => resolveOptions({ warmup: String(MAX_RUN_SECONDS + 1) })).toThrow(/--warmup .*±5 min window/);
    expect(() => resolveOptions({ loadCurve: true, step: String(MAX_RUN_SECONDS) })).toThrow(/--step/);
  });

  it('takes --compare REF with the ceiling, but not against a gateway given by --url', () => {
    expect(resolveOptions({ compare: ' HEAD~1 ' }).compare).toBe('HEAD~1');
    expect(() =>
      resolveOptions({ compare: 'main', url: 'http://h:1', merchantId: 'm', privateKey: 'k' }),
    ).toThrow(/--compare starts both gateways itself/);
  });

  it('takes --compare-mix MIX beside another --mix; an encrypted one against --url needs the client key', () => {
    expect(resolveOptions({ mix: 'encrypted', compareMix: 'purchase' })).toMatchObject({
      mix: 'encrypted',
      compareMix: 'purchase',
    });
    const external = { url: 'http://h:1', merchantId: 'm', privateKey: 'k' };
    expect(() => resolveOptions({ ...external, compareMix: 'encrypted' })).toThrow(
      /--compare-mix encrypted with --url needs --client-key KEY/,
    );
    expect(resolveOptions({ ...external, compareMix: 'encrypted', clientKey: 'ck_1' }).compareMix).toBe(
      'encrypted',
    );
  });

  it('--url needs the merchant and its private key; the store to count in is optional', () => {
    expect(() => resolveOptions({ url: 'http://127.0.0.1:8080' })).toThrow(
      /--merchant-id ID and --private-key FILE/,
    );
    expect(() => resolveOptions({ url: 'http://127.0.0.1:8080', merchantId: 'm' })).toThrow(/--private-key/);
    expect(() => resolveOptions({ url: 'localhost:8080', merchantId: 'm', privateKey: 'k.pem' })).toThrow(
      /not an http\(s\) URL/,
    );
    const options = resolveOptions({
      url: 'http://127.0.0.1:8080/',
      merchantId: '12345678901234',
      privateKey: 'k.pem',
      dataDir: '/srv/openkka',
    });
    expect(options.target).toEqual({
      url: 'http://127.0.0.1:8080',
      merchantId: '12345678901234',
      privateKeyFile: 'k.pem',
      dataDir: '/srv/openkka',
    });
  });

  it('pads the ceiling answers to a real answer of the wire, unless told otherwise', () => {
    expect(resolveOptions({}).answerBytes).toBe(760);
    expect(resolveOptions({ protocol: 'v3' }).answerBytes).toBe(734);
    expect(resolveOptions({ protocol: 'v3', answerBytes: '900' }).answerBytes).toBe(900);
  });

  it('speaks v3 to a gateway given by --url as its merchant id, or as --app-id', () => {
    const url = { url: 'http://127.0.0.1:8080', merchantId: 'm', privateKey: 'k.pem', protocol: 'v3' };
    expect(resolveOptions(url).target?.appId).toBeUndefined();
    expect(resolveOptions({ ...url, appId: 'app_1' }).target?.appId).toBe('app_1');
    expect(() => resolveOptions({ ...url, protocol: 'v1.2', appId: 'app_1' })).toThrow(
      /--app-id is the x-paykka-appid of v3 requests: add --protocol v3/,
    );
    expect(() => resolveOptions({ ...url, appId: 'app 1' })).toThrow(/--app-id: "app 1" is not 1 to 64/);
    expect(() => resolveOptions({ protocol: 'v3', appId: 'app_1' })).toThrow(
      /--app-id only applies together with --url/,
    );
  });

  it('takes the encrypted mix; with --url it needs the client key to fetch the gateway key', () => {
    expect(resolveOptions({ mix: 'encrypted' }).mix).toBe('encrypted');
    const url = { url: 'http://127.0.0.1:8080', merchantId: 'm', privateKey: 'k.pem', mix: 'encrypted' };
    expect(() => resolveOptions(url)).toThrow(/--client-key/);
    expect(resolveOptions({ ...url, clientKey: 'ck_1' }).target?.clientKey).toBe('ck_1');
    expect(() => resolveOptions({ clientKey: 'ck_1' })).toThrow(
      /--client-key only applies together with --url/,
    );
    expect(() => resolveOptions({ ...url, mix: 'encrypted-p256' })).toThrow(
      /--mix encrypted-p256 with --url/,
    );
    expect(() => resolveOptions({ mix: 'encrypt' })).toThrow(
      /not one of purchase, lifecycle, encrypted, encrypted-p256/,
    );
  });

  it('refuses flags that only mean something with --url, and --cpu-prof with it', () => {
    expect(() => resolveOptions({ merchantId: 'm' })).toThrow(
      /--merchant-id only applies together with --url/,
    );
    expect(() => resolveOptions({ databaseUrl: 'postgres://x/y' })).toThrow(/--database-url only applies/);
    expect(() =>
      resolveOptions({ url: 'http://h:1', merchantId: 'm', privateKey: 'k', cpuProf: 'dir' }),
    ).toThrow(/--cpu-prof/);
  });
});

describe('--gateways and --workers', () => {
  it('starts several gateway processes on either store, each with the workers asked for', () => {
    expect(resolveOptions({ store: 'postgres', gateways: '2' })).toMatchObject({ gateways: 2, workers: 1 });
    expect(resolveOptions({ gateways: '4', workers: '3' })).toMatchObject({
      store: 'sqlite',
      gateways: 4,
      workers: 3,
    });
    expect(resolveOptions({ workers: '2' })).toMatchObject({ store: 'sqlite', gateways: 1, workers: 2 });
    expect(
      resolveOptions({ store: 'postgres', gateways: '2', workers: '2', compare: 'HEAD~1' }),
    ).toMatchObject({ gateways: 2, workers: 2, compare: 'HEAD~1' });
  });

  it('refuses both with --url, whose gateway the bench does not start', () => {
    const url = { url: 'http://127.0.0.1:8080', merchantId: 'm', privateKey: 'k.pem', store: 'postgres' };
    expect(() => resolveOptions({ ...url, gateways: '2' })).toThrow(
      /--gateways shapes the gateways the bench starts: it cannot run with --url/,
    );
    expect(() => resolveOptions({ ...url, workers: '1' })).toThrow(/--workers shapes the gateways/);
    expect(resolveOptions(url)).toMatchObject({ gateways: 1, workers: 1 });
  });
});

describe('parseSeconds', () => {
  it('reads whole and decimal seconds', () => {
    expect(parseSeconds('10', 'x', false)).toBe(10);
    expect(parseSeconds(' 0.25 ', 'x', false)).toBe(0.25);
    expect(parseSeconds('0', 'x', true)).toBe(0);
    expect(() => parseSeconds('0', '--duration', false)).toThrow('--duration must be more than 0 seconds');
    expect(() => parseSeconds('1e3', 'x', true)).toThrow(BenchOptionError);
    expect(() => parseSeconds('', 'x', true)).toThrow(BenchOptionError);
  });
});
