import { describe, expect, it } from 'vitest';
import { percentile, ResponseRecorder, round, summarizeLatencies } from './stats';

describe('percentile (nearest rank)', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it('picks the smallest value with at least p% of samples at or below it', () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 95)).toBe(95);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile([1, 2, 3], 50)).toBe(2);
    expect(percentile([10, 20], 99)).toBe(20);
  });

  it('answers 0 for no samples and the minimum for p 0', () => {
    expect(percentile([], 99)).toBe(0);
    expect(percentile([3, 4], 0)).toBe(3);
  });
});

describe('summarizeLatencies', () => {
  it('sorts numerically, not as strings', () => {
    const summary = summarizeLatencies([100, 9, 20, 3]);
    expect(summary).toEqual({ count: 4, mean: 33, p50: 9, p95: 100, p99: 100, max: 100 });
  });

  it('is all zeros for an empty run', () => {
    expect(summarizeLatencies([])).toEqual({ count: 0, mean: 0, p50: 0, p95: 0, p99: 0, max: 0 });
  });
});

describe('ResponseRecorder', () => {
  it('counts statuses and unexpected answers, and grows past its first capacity', () => {
    const recorder = new ResponseRecorder();
    for (let i = 0; i < 70_000; i++)
      recorder.record(i / 70, 1, i % 10 === 0 ? 500 : 409, i % 10 !== 0);
    expect(recorder.count).toBe(70_000);
    expect(recorder.unexpected).toBe(7_000);
    expect(recorder.statusCounts.get(409)).toBe(63_000);
    expect(recorder.statusCounts.get(500)).toBe(7_000);
  });

  it('buckets answers by the second they arrived in', () => {
    const recorder = new ResponseRecorder();
    recorder.record(10, 1, 201, true);
    recorder.record(999, 3, 201, true);
    recorder.record(1_000, 5, 500, false);
    // Late answers (after the last full second) belong to the last second.
    recorder.record(2_300, 7, 201, true);
    expect(recorder.perSecond(2)).toEqual([
      { second: 0, requests: 2, unexpected: 0, p50: 1, p99: 3, max: 3 },
      { second: 1, requests: 2, unexpected: 1, p50: 5, p99: 7, max: 7 },
    ]);
  });

  it('summarises what it recorded', () => {
    const recorder = new ResponseRecorder();
    [4, 1, 3, 2].forEach((latency, i) => recorder.record(i, latency, 200, true));
    expect(recorder.summary()).toMatchObject({ count: 4, p50: 2, max: 4, mean: 2.5 });
  });
});

describe('round', () => {
  it('keeps two decimals under 10, one under 100, none above', () => {
    expect(round(1.2345)).toBe(1.23);
    expect(round(12.345)).toBe(12.3);
    expect(round(1234.5)).toBe(1235);
    expect(round(Infinity)).toBe(Infinity);
  });
});
