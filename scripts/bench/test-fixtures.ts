import type { RunResult } from './results';

/** A plausible measured run for the report specs; override what a test is about. */
export function fakeRun(id: string, overrides: Partial<RunResult> = {}): RunResult {
  const [server, scenario] = id.split('/') as [string, RunResult['scenario']];
  return {
    id,
    server,
    scenario,
    env: {},
    connections: 100,
    durationSeconds: 10,
    requests: 100_000,
    requestsPerSecond: 10_000,
    latency: { count: 100_000, mean: 5, p50: 4, p95: 12, p99: 20, max: 60 },
    statusCounts: { 409: 100_000 },
    conflicts: 100_000,
    errors: 0,
    oversold: 0,
    verified: true,
    problems: [],
    perSecond: [],
    loadAverage: { before: 0.1, after: 1.9 },
    ...overrides,
  };
}
