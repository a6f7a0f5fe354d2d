// Latency per step of a mix: kept apart, in the mix's order, and merged exactly over slices.
import { describe, expect, it } from 'vitest';
import { mergeStepLatencies, StepLatencies } from '../src/step-latencies.ts';

describe('StepLatencies', () => {
  it('summarises each step on its own, in the order a lifecycle takes them', () => {
    const steps = new StepLatencies();
    steps.add('query', 1);
    steps.add('refund', 9);
    steps.add('authorize', 4);
    steps.add('capture', 2);
    steps.add('authorize', 6);
    const summaries = steps.summaries();
    expect(Object.keys(summaries)).toEqual(['authorize', 'capture', 'refund', 'query']);
    expect(summaries.authorize).toMatchObject({ count: 2, p50_ms: 4, max_ms: 6 });
    expect(summaries.refund).toMatchObject({ count: 1, p99_ms: 9 });
    expect(steps.latencies()).toBeUndefined();
  });

  it('keeps every latency by step when asked, to the hundredth of a millisecond', () => {
    const steps = new StepLatencies(true);
    steps.add('capture', 1.23456);
    steps.add('capture', 2);
    expect(steps.latencies()).toEqual({ capture: [1.23, 2] });
  });
});

describe('mergeStepLatencies', () => {
  it('takes each step’s percentiles over the latencies of every slice, not an average of the slices’', () => {
    const merged = mergeStepLatencies([
      { step_latencies_ms: { authorize: [1, 2, 3, 4], query: [1] } },
      { step_latencies_ms: { authorize: [5, 6, 7, 100] } },
      {},
    ]);
    expect(merged.authorize).toMatchObject({ count: 8, p50_ms: 4, p99_ms: 100 });
    expect(merged.query).toMatchObject({ count: 1, p50_ms: 1 });
  });
});
