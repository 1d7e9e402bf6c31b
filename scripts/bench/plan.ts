/**
 * What one `npm run bench` measures, as data: which service configurations are started, which
 * scenarios run against each, and which runs form the on/off pairs of the A/B comparison.
 */

export type ScenarioName = 'live-sale' | 'sold-out' | 'reads';

export const SCENARIO_TITLES: Record<ScenarioName, string> = {
  'live-sale': 'live sale (POST /v1/reservations, stock left)',
  'sold-out': 'sold-out path (POST /v1/reservations, stock 0)',
  reads: 'reads (GET /v1/inventory/:id)',
};

/**
 * One service configuration: its id, the environment it gets on top of the bench's base, and the
 * scenarios measured on it (each on a freshly started process).
 */
export interface ServerPlan {
  id: string;
  title: string;
  env: Record<string, string>;
  scenarios: ScenarioName[];
}

/** An A/B pair: the same scenario with one speed-up on (the defaults) and off. */
export interface PairPlan {
  id: string;
  title: string;
  scenario: ScenarioName;
  /** The switch that turns the speed-up off, as shown in the report. */
  offSwitch: string;
  onRun: string;
  offRun: string;
}

export interface BenchPlan {
  servers: ServerPlan[];
  pairs: PairPlan[];
  warmupSeconds: number;
  durationSeconds: number;
  connections: number;
}

export interface PlanOptions {
  quick: boolean;
  /** Overrides the measured seconds per run. */
  durationSeconds?: number;
  connections?: number;
  /** Skip the A/B servers (only the defaults). */
  skipAb?: boolean;
  /** Only these scenarios (servers and pairs left without any are dropped). */
  only?: ScenarioName[];
}

/** The run id used in results and pairs: `<server>/<scenario>`. */
export function runId(serverId: string, scenario: ScenarioName): string {
  return `${serverId}/${scenario}`;
}

const DEFAULTS = 'defaults';

/**
 * Each switch below turns one speed-up off (README, Configuration). The "on" side of every pair is
 * the run on the defaults server, so each extra server measures only what it needs.
 */
const SWITCHES: Array<{
  id: string;
  title: string;
  env: Record<string, string>;
  scenarios: ScenarioName[];
}> = [
  {
    id: 'sold-out-gate-off',
    title: 'sold-out gate',
    env: { SOLD_OUT_GATE_TTL_MS: '0' },
    scenarios: ['sold-out'],
  },
  {
    id: 'fast-path-off',
    title: 'sold-out fast path',
    env: { SOLD_OUT_FAST_PATH: 'false' },
    scenarios: ['sold-out'],
  },
  {
    id: 'lean-bind-off',
    title: 'lean AsyncResource#bind',
    env: { LEAN_ASYNC_BIND: 'false' },
    scenarios: ['sold-out', 'live-sale'],
  },
  {
    id: 'rate-limit-local',
    title: 'rate-limit backend (redis → local)',
    env: { RATE_LIMIT_BACKEND: 'local' },
    scenarios: ['sold-out'],
  },
  {
    id: 'batching-off',
    title: 'rate-limit batching',
    env: { RATE_LIMIT_BATCHING: 'false' },
    scenarios: ['sold-out'],
  },
  {
    // HOT_VARIANT_CONCURRENCY cannot be 0; its maximum never queues at the bench's 100 connections.
    id: 'admission-off',
    title: 'hot-variant admission control',
    env: { HOT_VARIANT_CONCURRENCY: '1000' },
    scenarios: ['live-sale'],
  },
  {
    id: 'log-warn',
    title: 'per-request logging (info → warn)',
    env: { LOG_LEVEL: 'warn' },
    scenarios: ['sold-out'],
  },
];

export function buildPlan(options: PlanOptions): BenchPlan {
  const servers: ServerPlan[] = [
    {
      id: DEFAULTS,
      title: 'defaults (every speed-up on)',
      env: {},
      scenarios: ['sold-out', 'reads', 'live-sale'],
    },
  ];
  const pairs: PairPlan[] = [];
  if (!options.skipAb) {
    for (const candidate of SWITCHES) {
      servers.push({
        id: candidate.id,
        title: `${candidate.title} off`,
        env: candidate.env,
        scenarios: candidate.scenarios,
      });
      for (const scenario of candidate.scenarios) {
        pairs.push({
          id: `${candidate.id}:${scenario}`,
          title: candidate.title,
          scenario,
          offSwitch: Object.entries(candidate.env)
            .map(([name, value]) => `${name}=${value}`)
            .join(' '),
          onRun: runId(DEFAULTS, scenario),
          offRun: runId(candidate.id, scenario),
        });
      }
    }
  }
  const keep = (scenario: ScenarioName) => !options.only || options.only.includes(scenario);
  return {
    servers: servers
      .map((server) => ({ ...server, scenarios: server.scenarios.filter(keep) }))
      .filter((server) => server.scenarios.length > 0),
    pairs: pairs.filter((pair) => keep(pair.scenario)),
    warmupSeconds: options.quick ? 1 : 2,
    durationSeconds: options.durationSeconds ?? (options.quick ? 3 : 10),
    connections: options.connections ?? 100,
  };
}

export interface ScheduledRun {
  server: ServerPlan;
  scenario: ScenarioName;
  round: number;
}

/**
 * The order of the runs. This VM's speed drifts within minutes, so a pair's on and off runs are
 * kept close: the runs of one scenario go together, with the defaults run (every pair's "on" side)
 * in the middle of its group. Every other round goes in reverse, so no run always comes first.
 */
export function scheduleRuns(plan: BenchPlan, repeat: number): ScheduledRun[] {
  const order: Array<{ server: ServerPlan; scenario: ScenarioName }> = [];
  const scenarios = [...new Set(plan.servers.flatMap((server) => server.scenarios))];
  for (const scenario of scenarios) {
    const group = plan.servers.filter((server) => server.scenarios.includes(scenario));
    const defaults = group.find((server) => server.id === DEFAULTS);
    const others = group.filter((server) => server !== defaults);
    const middle = Math.floor(others.length / 2);
    const arranged = defaults
      ? [...others.slice(0, middle), defaults, ...others.slice(middle)]
      : others;
    for (const server of arranged) order.push({ server, scenario });
  }
  return Array.from({ length: repeat }, (_, round) =>
    (round % 2 === 0 ? order : [...order].reverse()).map((entry) => ({ ...entry, round })),
  ).flat();
}
