/**
 * `npm run bench -- --instances 2`: what the stock bus saves when two API instances share one
 * store. Pure parts (options, plan, figures, table); the runner is two-instances-run.ts.
 *
 * The scenario: a variant's last unit is held through instance A, and at that moment a stampede
 * of retrying shoppers starts, split evenly between A and B. Each instance counts the reserve
 * calls it sends to the store (`stockhold_store_reserve_attempts_total`); the figure is store
 * calls per sold-out request, with the bus on (the default) and off (`STOCK_BUS_ENABLED=false`).
 * A closes its sold-out gate on its own sale either way; B, with the bus, closes it on A's
 * message, and without it only when one of its own requests has reached the store and seen 0.
 */
import { formatNumber, formatTable } from './report-text';

export type SharedStore = 'memory' | 'mongodb';

export interface TwoInstanceRun {
  id: 'bus-on' | 'bus-off';
  title: string;
  env: Record<string, string>;
  round: number;
}

export interface TwoInstancePlan {
  store: SharedStore;
  runs: TwoInstanceRun[];
  /** Connections on A and on B: the load split evenly. */
  connections: [number, number];
  warmupSeconds: number;
  durationSeconds: number;
  /** When, after the sale of the last unit, the counters are read a second time. */
  earlyReadMs: number;
}

export interface TwoInstanceOptions {
  quick: boolean;
  durationSeconds?: number;
  connections?: number;
  repeat: number;
  /** MONGODB_URI of the bench's environment: the store both instances then share. */
  mongodbUri?: string;
}

/** The instance count asked for; refuses options that only mean something for one instance. */
export function parseInstances(
  raw: string | undefined,
  others: { only?: unknown; skipAb: boolean; profile: boolean },
): 1 | 2 {
  if (raw === undefined || raw === '1') return 1;
  if (raw !== '2') throw new Error('--instances must be 1 or 2');
  const refused = [
    others.only !== undefined && '--only',
    others.skipAb && '--skip-ab',
    others.profile && '--profile',
  ].filter(Boolean);
  if (refused.length > 0) {
    throw new Error(`--instances 2 runs its own scenario; ${refused.join(', ')} do not apply`);
  }
  return 2;
}

const RUNS: Array<Omit<TwoInstanceRun, 'round'>> = [
  { id: 'bus-on', title: 'bus on (defaults)', env: {} },
  { id: 'bus-off', title: 'bus off', env: { STOCK_BUS_ENABLED: 'false' } },
];

export function buildTwoInstancePlan(options: TwoInstanceOptions): TwoInstancePlan {
  const connections = options.connections ?? 100;
  if (connections < 2) throw new Error('--connections must be at least 2 with --instances 2');
  // Every other round in reverse order, so neither side always runs first on a drifting VM.
  const runs = Array.from({ length: options.repeat }, (_, round) =>
    (round % 2 === 0 ? RUNS : [...RUNS].reverse()).map((run) => ({ ...run, round })),
  ).flat();
  return {
    store: options.mongodbUri ? 'mongodb' : 'memory',
    runs,
    connections: [Math.ceil(connections / 2), Math.floor(connections / 2)],
    warmupSeconds: options.quick ? 1 : 2,
    durationSeconds: options.durationSeconds ?? (options.quick ? 3 : 10),
    earlyReadMs: 500,
  };
}

/** The counters read from one instance's /metrics. */
export interface InstanceCounters {
  storeReserveCalls: number;
  /** Transaction callbacks run again (MongoDB; always 0 on the in-memory store). */
  transactionRetries: number;
  /** Other instances' changes this one applied from the bus. */
  busApplied: number;
}

export function readCounters(metricsText: string): InstanceCounters {
  const sample = (pattern: RegExp) => Number(pattern.exec(metricsText)?.[1] ?? 0);
  return {
    storeReserveCalls: sample(/^stockhold_store_reserve_attempts_total (\S+)$/m),
    transactionRetries: sample(/^stockhold_store_transaction_retries_total (\S+)$/m),
    busApplied: sample(/^stockhold_stock_bus_received_total\{result="applied"\} (\S+)$/m),
  };
}

/** One instance's share of one run. */
export interface InstanceResult {
  instance: 'A' | 'B';
  /** Answers in the stampede (all must be 409 OUT_OF_STOCK). */
  soldOutAnswers: number;
  otherAnswers: number;
  requestsPerSecond: number;
  /** Store calls from the sale of the last unit to `earlyReadMs` after it, and to the end. */
  storeCallsEarly: number;
  storeCalls: number;
  transactionRetries: number;
  /** The stampede's length, and the early part's. */
  elapsedSeconds: number;
  earlySeconds: number;
}

export function instanceResult(
  instance: 'A' | 'B',
  counters: { atSale: InstanceCounters; early: InstanceCounters; end: InstanceCounters },
  answers: { soldOut: number; other: number; elapsedSeconds: number; earlySeconds: number },
): InstanceResult {
  return {
    instance,
    soldOutAnswers: answers.soldOut,
    otherAnswers: answers.other,
    requestsPerSecond: (answers.soldOut + answers.other) / answers.elapsedSeconds,
    storeCallsEarly: counters.early.storeReserveCalls - counters.atSale.storeReserveCalls,
    storeCalls: counters.end.storeReserveCalls - counters.atSale.storeReserveCalls,
    transactionRetries: counters.end.transactionRetries - counters.atSale.transactionRetries,
    elapsedSeconds: answers.elapsedSeconds,
    earlySeconds: answers.earlySeconds,
  };
}

/** Store calls (retries included) a second after the early part: the gate's TTL refreshes. */
export function callsPerSecondAfterEarly(result: InstanceResult): number {
  const seconds = result.elapsedSeconds - result.earlySeconds;
  const calls = result.storeCalls + result.transactionRetries - result.storeCallsEarly;
  return seconds <= 0 ? 0 : calls / seconds;
}

export interface TwoInstanceResult {
  run: TwoInstanceRun;
  instances: [InstanceResult, InstanceResult];
  /** From the sale of the last unit to the stampede's start on both instances. */
  startDelayMs: number;
  /** Problems found (unexpected answers, stock not as sold); empty when the run is sound. */
  problems: string[];
}

/** Store calls per 1,000 sold-out requests. */
export function callsPerThousand(calls: number, requests: number): number {
  return requests === 0 ? 0 : (calls * 1000) / requests;
}

export const TWO_INSTANCE_HEADER = [
  'run',
  'instance',
  '409s',
  'req/s',
  'store calls',
  'in first 0.5 s',
  'per s after',
  'per 1,000 409s',
];

export function twoInstanceRows(results: TwoInstanceResult[], repeated: boolean): string[][] {
  const rows: string[][] = [];
  for (const { run, instances } of results) {
    const label = repeated ? `${run.id} #${run.round + 1}` : run.id;
    const both: InstanceResult = {
      instance: 'A',
      soldOutAnswers: instances[0].soldOutAnswers + instances[1].soldOutAnswers,
      otherAnswers: instances[0].otherAnswers + instances[1].otherAnswers,
      requestsPerSecond: instances[0].requestsPerSecond + instances[1].requestsPerSecond,
      storeCallsEarly: instances[0].storeCallsEarly + instances[1].storeCallsEarly,
      storeCalls: instances[0].storeCalls + instances[1].storeCalls,
      transactionRetries: instances[0].transactionRetries + instances[1].transactionRetries,
      elapsedSeconds: instances[0].elapsedSeconds,
      earlySeconds: instances[0].earlySeconds,
    };
    for (const [name, figures] of [
      ['A', instances[0]],
      ['B', instances[1]],
      ['A+B', both],
    ] as const) {
      rows.push([
        name === 'A' ? label : '',
        name,
        formatNumber(figures.soldOutAnswers),
        formatNumber(figures.requestsPerSecond),
        String(figures.storeCalls + figures.transactionRetries),
        String(figures.storeCallsEarly),
        callsPerSecondAfterEarly(figures).toFixed(1),
        callsPerThousand(
          figures.storeCalls + figures.transactionRetries,
          figures.soldOutAnswers,
        ).toFixed(3),
      ]);
    }
  }
  return rows;
}

/**
 * The table, then one line per side over every run of it: B's store calls right after the sale
 * (what the bus changes), the calls per instance per second after that (the gate's TTL, the same
 * either way), and store calls per sold-out request — which also moves with the request rate,
 * since the calls come per second, not per request.
 */
export function formatTwoInstanceReport(results: TwoInstanceResult[]): string {
  const repeated = results.some((result) => result.run.round > 0);
  const table = formatTable(TWO_INSTANCE_HEADER, twoInstanceRows(results, repeated), 2);
  const side = (id: TwoInstanceRun['id']) => {
    const runs = results.filter((candidate) => candidate.run.id === id);
    const instances = runs.flatMap((result) => result.instances);
    const calls = instances.reduce((sum, one) => sum + one.storeCalls + one.transactionRetries, 0);
    const requests = instances.reduce((sum, one) => sum + one.soldOutAnswers, 0);
    const rate = instances.reduce((sum, one) => sum + one.requestsPerSecond, 0);
    const perSecond = instances.reduce((sum, one) => sum + callsPerSecondAfterEarly(one), 0);
    const count = Math.max(1, instances.length);
    return {
      runs: runs.length,
      earlyOfB: runs.reduce((sum, result) => sum + result.instances[1].storeCallsEarly, 0),
      perSecond: perSecond / count,
      calls,
      requests,
      rate: rate / count,
    };
  };
  const summary = (title: string, figures: ReturnType<typeof side>) =>
    `${title}: B's store calls in its first 0.5 s: ${figures.earlyOfB} (${figures.runs} run${figures.runs === 1 ? '' : 's'}); ` +
    `after it ${figures.perSecond.toFixed(1)} per instance per second; per sold-out request ` +
    `${(figures.requests === 0 ? 0 : figures.calls / figures.requests).toExponential(2)} ` +
    `(${figures.calls} calls, ${formatNumber(figures.requests)} requests at ${formatNumber(figures.rate)} req/s per instance)`;
  return [table, '', summary('bus on ', side('bus-on')), summary('bus off', side('bus-off'))].join(
    '\n',
  );
}
