/**
 * `--workers` / OPENKKA_WORKERS and OPENKKA_DRAIN_TIMEOUT as the configuration reads them, and
 * the primary's restart waits: at once after a long life, doubling after quick deaths in a row.
 */
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { RestartBackoff } from '../../../src/cli/cluster/restart-backoff.ts';
import { loadConfig, MAX_WORKERS, parseWorkers } from '../../../src/config.ts';

describe('the number of workers', () => {
  it('is 1 unless set: one process, as before there were workers', () => {
    expect(loadConfig({}).workers).toBe(1);
    expect(loadConfig({ OPENKKA_WORKERS: '' }).workers).toBe(1);
  });

  it('takes whole numbers from 1 to 64, and auto for one per core', () => {
    expect(parseWorkers('1', '--workers')).toBe(1);
    expect(parseWorkers(' 4 ', '--workers')).toBe(4);
    expect(parseWorkers(String(MAX_WORKERS), '--workers')).toBe(64);
    expect(parseWorkers('auto', '--workers')).toBe(Math.min(64, availableParallelism()));
    expect(loadConfig({ OPENKKA_WORKERS: '3' }).workers).toBe(3);
  });

  it('refuses anything else, naming the setting and the value', () => {
    for (const bad of ['0', '-1', '1.5', '65', '1e1', '0x2', '2 workers', 'AUTO', 'abc', ' ']) {
      expect(() => parseWorkers(bad, '--workers'), bad).toThrow(
        `--workers: "${bad}" is not a number of workers: a whole number from 1 to 64, or auto (one per core)`,
      );
    }
    expect(() => loadConfig({ OPENKKA_WORKERS: '0' })).toThrow(
      /^OPENKKA_WORKERS: "0" is not a number of workers/,
    );
  });

  it('drains for 30 s unless OPENKKA_DRAIN_TIMEOUT says otherwise, and never for 0', () => {
    expect(loadConfig({}).drainTimeoutMs).toBe(30_000);
    expect(loadConfig({ OPENKKA_DRAIN_TIMEOUT: '2s' }).drainTimeoutMs).toBe(2_000);
    expect(() => loadConfig({ OPENKKA_DRAIN_TIMEOUT: '0' })).toThrow(
      /OPENKKA_DRAIN_TIMEOUT must be longer than 0/,
    );
    expect(() => loadConfig({ OPENKKA_DRAIN_TIMEOUT: 'soon' })).toThrow(
      /OPENKKA_DRAIN_TIMEOUT: "soon" is not a duration/,
    );
  });
});

describe('restarting a worker that died', () => {
  const policy = { quickDeathMs: 10_000, firstWaitMs: 1_000, maxWaitMs: 8_000 };

  it('starts one that ran a while again at once', () => {
    const backoff = new RestartBackoff(policy);
    expect(backoff.next(60_000)).toBe(0);
    expect(backoff.next(10_000)).toBe(0);
  });

  it('waits longer after each quick death in a row, up to the most, and forgives after a long life', () => {
    const backoff = new RestartBackoff(policy);
    expect([1, 2, 3, 4, 5].map(() => backoff.next(500))).toEqual([1_000, 2_000, 4_000, 8_000, 8_000]);
    expect(backoff.next(30_000)).toBe(0);
    expect(backoff.next(9_999)).toBe(1_000);
  });
});
