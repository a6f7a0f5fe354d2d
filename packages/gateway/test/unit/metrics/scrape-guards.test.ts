/**
 * The guards of /metrics that need no server: a store figure read at most once per TTL however
 * many scrapes ask (metrics/backlog.ts), the bearer check (metrics/token.ts), the settings,
 * and the process's own metrics made once however many apps a process builds.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.ts';
import { cachedRead } from '../../../src/metrics/backlog.ts';
import { GatewayMetrics } from '../../../src/metrics/registry.ts';
import { bearerCheck } from '../../../src/metrics/token.ts';

describe('cachedRead', () => {
  it('a flood of concurrent and later scrapes within the TTL reads once', async () => {
    let reads = 0;
    let release: (() => void) | undefined;
    const read = cachedRead(async () => {
      reads++;
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      return reads * 10;
    }, 60_000);
    const flood = Array.from({ length: 1000 }, () => read());
    release!();
    expect(new Set(await Promise.all(flood))).toEqual(new Set([10]));
    expect(await read()).toBe(10);
    expect(reads).toBe(1);
  });

  it('reads again once the TTL passed, and after a failed read', async () => {
    let reads = 0;
    let fail = true;
    const read = cachedRead(async () => {
      reads++;
      if (fail) throw new Error('store down');
      return reads;
    }, 0);
    await expect(read()).rejects.toThrow('store down');
    fail = false;
    expect(await read()).toBe(2);
    expect(await read()).toBe(3);
  });
});

describe('bearerCheck', () => {
  const token = 'a'.repeat(40);
  const check = bearerCheck(token);

  it('accepts the token in the Bearer scheme, in any case', () => {
    expect(check(`Bearer ${token}`)).toBe(true);
    expect(check(`bEaReR  ${token} `)).toBe(true);
  });

  it('refuses a missing, shorter, longer or other-scheme token without throwing', () => {
    // Different lengths reach timingSafeEqual as equal-length digests: no throw, no early out.
    for (const header of [
      undefined,
      '',
      'Bearer',
      `Bearer ${token.slice(1)}`,
      `Bearer ${token}a`,
      `Basic ${token}`,
      token,
    ]) {
      expect(check(header)).toBe(false);
    }
  });
});

describe('settings', () => {
  it('metrics are on by default, open without a token', () => {
    expect(loadConfig({})).toMatchObject({ metrics: true, metricsToken: undefined });
    expect(loadConfig({ OPENKKA_METRICS: 'off' }).metrics).toBe(false);
  });

  it('refuses a word other than on or off, and a weak token', () => {
    expect(() => loadConfig({ OPENKKA_METRICS: 'yes' })).toThrow(/OPENKKA_METRICS: "yes" is not on or off/);
    expect(() => loadConfig({ OPENKKA_METRICS_TOKEN: 'short' })).toThrow(
      /OPENKKA_METRICS_TOKEN must be at least 32/,
    );
    expect(() => loadConfig({ OPENKKA_METRICS_TOKEN: `${'a'.repeat(31)} b` })).toThrow(
      /OPENKKA_METRICS_TOKEN/,
    );
    expect(loadConfig({ OPENKKA_METRICS_TOKEN: 'b'.repeat(32) }).metricsToken).toBe('b'.repeat(32));
  });
});

describe('the process metrics', () => {
  it('are made once and shared by every app of the process, each exposing them', async () => {
    const [a, b] = [new GatewayMetrics(), new GatewayMetrics()];
    for (const name of ['process_resident_memory_bytes', 'nodejs_eventloop_lag_p99_seconds']) {
      const metric = a.registry.getSingleMetric(name);
      expect(metric, name).toBeDefined();
      // One collector, not one per app: the same object in both registries.
      expect(b.registry.getSingleMetric(name)).toBe(metric);
    }
    const rss = /^process_resident_memory_bytes (\d+)$/m;
    expect(Number((await a.registry.metrics()).match(rss)?.[1])).toBeGreaterThan(1_000_000);
    expect(Number((await b.registry.metrics()).match(rss)?.[1])).toBeGreaterThan(1_000_000);
  });
});
