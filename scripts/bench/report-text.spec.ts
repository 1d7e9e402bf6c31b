import { describe, expect, it } from 'vitest';
import { buildPlan } from './plan';
import {
  evaluateTargets,
  formatPairsTable,
  formatRunsTable,
  formatTable,
  formatTargets,
  pairRows,
} from './report-text';
import { fakeRun } from './test-fixtures';

describe('formatTable', () => {
  it('pads text columns left and figures right, under a rule', () => {
    expect(
      formatTable(
        ['name', 'n'],
        [
          ['a', '1'],
          ['bbb', '22'],
        ],
      ),
    ).toBe(['name   n', '----  --', 'a      1', 'bbb   22'].join('\n'));
  });
});

describe('formatRunsTable', () => {
  it('shows one row per run and flags a run whose stock checks failed', () => {
    const table = formatRunsTable([
      fakeRun('defaults/sold-out'),
      fakeRun('defaults/live-sale', {
        verified: false,
        oversold: 2,
        requestsPerSecond: 5_432.1,
        serviceCpu: { microsPerRequest: 151.26, percentOfCore: 82 },
      }),
    ]);
    const lines = table.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[2]).toMatch(
      /^defaults\/sold-out\s+10,000\s+4\s+12\s+20\s+60\s+—\s+100,000\s+100,000\s+0\s+0$/,
    );
    expect(lines[3]).toMatch(/5,432\s.*\s151\s.*2 \(!\)$/);
  });
});

describe('evaluateTargets', () => {
  it('meets a target only with enough throughput, a low enough p99 and nothing oversold', () => {
    const runs = [
      fakeRun('defaults/sold-out', {
        requestsPerSecond: 10_500,
        latency: { ...fakeRun('x/y').latency, p99: 24 },
      }),
      fakeRun('defaults/live-sale', {
        requestsPerSecond: 6_000,
        latency: { ...fakeRun('x/y').latency, p99: 51 },
      }),
    ];
    const [soldOut, liveSale] = evaluateTargets(runs, 100);
    expect(soldOut.met).toBe(true);
    expect(liveSale.met).toBe(false);
    expect(formatTargets([soldOut, liveSale])).toMatch(
      /^MET {4}\s+sold-out path.*\nNOT MET\s+live sale/,
    );
    expect(soldOut.roundsMet).toBeUndefined();
  });

  it('with --repeat, judges the median round and counts the rounds that met it on their own', () => {
    const latency = fakeRun('x/y').latency;
    const [soldOut] = evaluateTargets(
      [
        fakeRun('defaults/sold-out', {
          requestsPerSecond: 14_500,
          latency: { ...latency, p99: 23.9 },
          repeats: { requestsPerSecond: [14_600, 10_800, 14_500], p99Ms: [18.5, 36.9, 23.9] },
        }),
      ],
      100,
    );
    expect(soldOut.met).toBe(true);
    expect(soldOut.roundsMet).toEqual({ met: 2, of: 3 });
    expect(formatTargets([soldOut])).toContain('2 of 3 rounds met it on their own');
  });

  it('fails a fast run that oversold', () => {
    const [soldOut] = evaluateTargets(
      [fakeRun('defaults/sold-out', { requestsPerSecond: 50_000, oversold: 1 })],
      100,
    );
    expect(soldOut.met).toBe(false);
  });

  it('says when the run is missing', () => {
    const targets = evaluateTargets([], 100);
    expect(targets.map((target) => [target.measured, target.met])).toEqual([
      ['not run', false],
      ['not run', false],
    ]);
  });
});

describe('A/B pairs', () => {
  it('pairs each switched-off run with the defaults run of the same scenario', () => {
    const plan = buildPlan({ quick: false });
    const runs = [
      fakeRun('defaults/sold-out', { requestsPerSecond: 9_000 }),
      fakeRun('sold-out-gate-off/sold-out', { requestsPerSecond: 6_000 }),
    ];
    const rows = pairRows(plan.pairs, runs);
    const gate = rows.find((row) => row.pair.id === 'sold-out-gate-off:sold-out')!;
    expect(gate.throughputGain).toBeCloseTo(1.5);
    const admission = rows.find((row) => row.pair.id === 'admission-off:live-sale')!;
    expect(admission.throughputGain).toBeUndefined();
    const table = formatPairsTable(rows);
    expect(table).toContain('SOLD_OUT_GATE_TTL_MS=0');
    expect(table).toContain('×1.50');
    // A single round has nothing to pair round by round.
    expect(gate.roundGains).toBeUndefined();
  });

  it('with --repeat, gives the gain round by round and how many rounds the speed-up won', () => {
    const plan = buildPlan({ quick: false });
    const rows = pairRows(plan.pairs, [
      fakeRun('defaults/sold-out', {
        requestsPerSecond: 9_000,
        repeats: { requestsPerSecond: [9_000, 6_000, 11_000], p99Ms: [20, 30, 20] },
      }),
      fakeRun('sold-out-gate-off/sold-out', {
        requestsPerSecond: 8_000,
        repeats: { requestsPerSecond: [8_000, 6_600, 10_000], p99Ms: [25, 31, 22] },
      }),
    ]);
    const gate = rows.find((row) => row.pair.id === 'sold-out-gate-off:sold-out')!;
    expect(gate.roundGains?.map((gain) => Number(gain.toFixed(3)))).toEqual([1.125, 0.909, 1.1]);
    expect(formatPairsTable(rows)).toContain('2/3 ×1.13 ×0.91 ×1.10');
  });
});
