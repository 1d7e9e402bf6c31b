import { describe, expect, it } from 'vitest';
import {
  buildTwoInstancePlan,
  callsPerSecondAfterEarly,
  callsPerThousand,
  formatTwoInstanceReport,
  instanceResult,
  parseInstances,
  readCounters,
  type InstanceCounters,
  type TwoInstanceResult,
} from './two-instances';

const none = { only: undefined, skipAb: false, profile: false };

describe('parseInstances', () => {
  it('is one instance unless --instances 2 is given', () => {
    expect(parseInstances(undefined, none)).toBe(1);
    expect(parseInstances('1', none)).toBe(1);
    expect(parseInstances('2', none)).toBe(2);
  });

  it('refuses other counts, and the single-instance options it would ignore', () => {
    expect(() => parseInstances('3', none)).toThrow(/1 or 2/);
    expect(() => parseInstances('two', none)).toThrow(/1 or 2/);
    expect(() => parseInstances('2', { only: ['sold-out'], skipAb: true, profile: false })).toThrow(
      /--only, --skip-ab do not apply/,
    );
    expect(() => parseInstances('2', { ...none, profile: true })).toThrow(/--profile/);
  });
});

describe('buildTwoInstancePlan', () => {
  it('pairs the bus on (defaults) with the bus off, alternating their order by round', () => {
    const plan = buildTwoInstancePlan({ quick: false, repeat: 3 });
    expect(plan.runs.map((run) => `${run.id}#${run.round}`)).toEqual([
      'bus-on#0',
      'bus-off#0',
      'bus-off#1',
      'bus-on#1',
      'bus-on#2',
      'bus-off#2',
    ]);
    expect(plan.runs.find((run) => run.id === 'bus-on')?.env).toEqual({});
    expect(plan.runs.find((run) => run.id === 'bus-off')?.env).toEqual({
      STOCK_BUS_ENABLED: 'false',
    });
  });

  it('splits the connections between A and B and keeps the bench durations', () => {
    expect(buildTwoInstancePlan({ quick: false, repeat: 1 })).toMatchObject({
      store: 'memory',
      connections: [50, 50],
      warmupSeconds: 2,
      durationSeconds: 10,
    });
    expect(
      buildTwoInstancePlan({ quick: true, repeat: 1, connections: 7, durationSeconds: 5 }),
    ).toMatchObject({ connections: [4, 3], warmupSeconds: 1, durationSeconds: 5 });
    expect(() => buildTwoInstancePlan({ quick: false, repeat: 1, connections: 1 })).toThrow(
      /at least 2/,
    );
  });

  it('shares MONGODB_URI when one is set, else the in-memory store', () => {
    const plan = buildTwoInstancePlan({ quick: false, repeat: 1, mongodbUri: 'mongodb://db/x' });
    expect(plan.store).toBe('mongodb');
  });
});

describe('readCounters', () => {
  it('reads the samples, not the HELP lines that name them', () => {
    const text = [
      '# HELP stockhold_store_reserve_attempts_total Single-hold reserve operations',
      '# TYPE stockhold_store_reserve_attempts_total counter',
      'stockhold_store_reserve_attempts_total 12',
      'stockhold_store_transaction_retries_total 3',
      'stockhold_stock_bus_received_total{result="malformed"} 1',
      'stockhold_stock_bus_received_total{result="applied"} 40',
    ].join('\n');
    expect(readCounters(text)).toEqual({
      storeReserveCalls: 12,
      transactionRetries: 3,
      busApplied: 40,
    });
    expect(readCounters('')).toEqual({
      storeReserveCalls: 0,
      transactionRetries: 0,
      busApplied: 0,
    });
  });
});

const counters = (storeReserveCalls: number): InstanceCounters => ({
  storeReserveCalls,
  transactionRetries: 0,
  busApplied: 0,
});

describe('figures', () => {
  it('counts store calls from the sale on, early and in all', () => {
    const result = instanceResult(
      'B',
      { atSale: counters(100), early: counters(102), end: counters(120) },
      { soldOut: 40_000, other: 0, elapsedSeconds: 10, earlySeconds: 0.5 },
    );
    expect(result).toMatchObject({
      storeCallsEarly: 2,
      storeCalls: 20,
      requestsPerSecond: 4_000,
    });
    expect(callsPerThousand(result.storeCalls, result.soldOutAnswers)).toBe(0.5);
    // 18 calls in the 9.5 s after the early read: the gate's refreshes.
    expect(callsPerSecondAfterEarly(result)).toBeCloseTo(18 / 9.5);
    expect(callsPerThousand(3, 0)).toBe(0);
  });

  it('prints A, B and both per run, then store calls per sold-out request for each side', () => {
    const run = (id: 'bus-on' | 'bus-off', early: number, calls: number): TwoInstanceResult => ({
      run: { id, title: id, env: {}, round: 0 },
      startDelayMs: 20,
      problems: [],
      instances: [
        instanceResult(
          'A',
          { atSale: counters(0), early: counters(0), end: counters(10) },
          { soldOut: 10_000, other: 0, elapsedSeconds: 5.5, earlySeconds: 0.5 },
        ),
        instanceResult(
          'B',
          { atSale: counters(0), early: counters(early), end: counters(calls) },
          { soldOut: 10_000, other: 0, elapsedSeconds: 5.5, earlySeconds: 0.5 },
        ),
      ],
    });
    const report = formatTwoInstanceReport([run('bus-on', 0, 10), run('bus-off', 2, 12)]);
    expect(report).toMatch(/bus-on\s+A\s+10,000\s+1,818\s+10\s+0\s+2\.0\s+1\.000/);
    expect(report).toMatch(/A\+B\s+20,000\s+3,636\s+22\s+2\s+4\.0\s+1\.100/);
    expect(report).toContain(
      "bus on : B's store calls in its first 0.5 s: 0 (1 run); after it 2.0 per instance per second; " +
        'per sold-out request 1.00e-3 (20 calls, 20,000 requests at 1,818 req/s per instance)',
    );
    expect(report).toContain("bus off: B's store calls in its first 0.5 s: 2 (1 run)");
  });
});
