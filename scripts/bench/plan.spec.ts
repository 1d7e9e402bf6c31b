import { describe, expect, it } from 'vitest';
import { buildPlan, runId, scheduleRuns } from './plan';

describe('buildPlan', () => {
  it('measures every scenario on the defaults and pairs each switch with a defaults run', () => {
    const plan = buildPlan({ quick: false });
    expect(plan.servers[0]).toMatchObject({ id: 'defaults', env: {} });
    expect([...plan.servers[0].scenarios].sort()).toEqual(['live-sale', 'reads', 'sold-out']);
    const runs = new Set(plan.servers.flatMap((s) => s.scenarios.map((c) => runId(s.id, c))));
    for (const pair of plan.pairs) {
      expect(runs.has(pair.onRun)).toBe(true);
      expect(runs.has(pair.offRun)).toBe(true);
      expect(pair.onRun.startsWith('defaults/')).toBe(true);
    }
    expect(plan.pairs.map((pair) => pair.offSwitch)).toEqual(
      expect.arrayContaining([
        'SOLD_OUT_GATE_TTL_MS=0',
        'SOLD_OUT_FAST_PATH=false',
        'RATE_LIMIT_BATCHING=false',
        'LEAN_ASYNC_BIND=false',
        'RATE_LIMIT_BACKEND=local',
        'HOT_VARIANT_CONCURRENCY=1000',
        'LOG_LEVEL=warn',
      ]),
    );
  });

  it('keeps a default run short enough: at most 3 minutes of load in all', () => {
    const plan = buildPlan({ quick: false });
    const runs = plan.servers.reduce((total, server) => total + server.scenarios.length, 0);
    expect(runs * (plan.warmupSeconds + plan.durationSeconds)).toBeLessThanOrEqual(150);
    const quick = buildPlan({ quick: true });
    expect(quick.durationSeconds).toBeLessThan(plan.durationSeconds);
  });

  it('drops the A/B servers with skipAb, and whatever --only leaves without a scenario', () => {
    expect(buildPlan({ quick: true, skipAb: true })).toMatchObject({ pairs: [] });
    const soldOut = buildPlan({ quick: true, only: ['sold-out'] });
    expect(soldOut.servers.every((server) => server.scenarios.join() === 'sold-out')).toBe(true);
    expect(soldOut.servers.map((server) => server.id)).not.toContain('admission-off');
    expect(soldOut.pairs.every((pair) => pair.scenario === 'sold-out')).toBe(true);
  });

  it('takes duration and connections from the options', () => {
    expect(buildPlan({ quick: false, durationSeconds: 30, connections: 50 })).toMatchObject({
      durationSeconds: 30,
      connections: 50,
    });
  });

  it('schedules the runs of one scenario together, the defaults run in the middle of its group', () => {
    const plan = buildPlan({ quick: true });
    const schedule = scheduleRuns(plan, 2);
    const runs = plan.servers.reduce((total, server) => total + server.scenarios.length, 0);
    expect(schedule).toHaveLength(2 * runs);
    const firstRound = schedule.filter((run) => run.round === 0);
    expect(schedule.filter((run) => run.round === 1)).toEqual(
      [...firstRound].reverse().map((run) => ({ ...run, round: 1 })),
    );
    const labels = firstRound.map((run) => runId(run.server.id, run.scenario));
    for (const pair of plan.pairs) {
      const group = labels.filter((label) => label.endsWith(`/${pair.scenario}`));
      // Contiguous, and the defaults run no further than half the group from any partner.
      const start = labels.indexOf(group[0]);
      expect(labels.slice(start, start + group.length)).toEqual(group);
      const distance = Math.abs(labels.indexOf(pair.onRun) - labels.indexOf(pair.offRun));
      expect(distance).toBeLessThanOrEqual(Math.ceil(group.length / 2));
    }
  });
});
