import { describe, expect, it } from 'vitest';
import { combineRepeats } from './repeats';
import { fakeRun } from './test-fixtures';

describe('combineRepeats', () => {
  it('keeps single runs as they are', () => {
    const run = fakeRun('defaults/reads');
    expect(combineRepeats([run])).toEqual([run]);
  });

  it('shows the median round of each run, with every round’s throughput, p99 and CPU beside it', () => {
    const rounds = [2_400, 2_000, 2_900].map((requestsPerSecond, round) =>
      fakeRun('defaults/sold-out', {
        requestsPerSecond,
        serviceCpu: { microsPerRequest: 500 - round, percentOfCore: 100 },
        latency: { count: 1, mean: 1, p50: round, p95: 1, p99: 20 + round, max: 1 },
      }),
    );
    const [combined] = combineRepeats([...rounds, fakeRun('defaults/reads')]).filter(
      (run) => run.id === 'defaults/sold-out',
    );
    expect(combined.requestsPerSecond).toBe(2_400);
    expect(combined.latency.p50).toBe(0);
    expect(combined.repeats).toEqual({
      requestsPerSecond: [2_400, 2_000, 2_900],
      p99Ms: [20, 21, 22],
      cpuMicrosPerRequest: [500, 499, 498],
    });
  });

  it('fails the combined run when any round oversold or failed its checks', () => {
    const [combined] = combineRepeats([
      fakeRun('defaults/live-sale'),
      fakeRun('defaults/live-sale', {
        oversold: 1,
        verified: false,
        problems: ['1 units oversold'],
      }),
    ]);
    expect(combined).toMatchObject({
      oversold: 1,
      verified: false,
      problems: ['1 units oversold'],
    });
  });

  it('keeps the order in which runs first appeared', () => {
    const ids = combineRepeats([
      fakeRun('a/sold-out'),
      fakeRun('b/sold-out'),
      fakeRun('b/sold-out'),
      fakeRun('a/sold-out'),
    ]).map((run) => run.id);
    expect(ids).toEqual(['a/sold-out', 'b/sold-out']);
  });
});
