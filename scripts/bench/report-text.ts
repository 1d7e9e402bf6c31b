import type { PairPlan } from './plan';
import type { RunResult, TargetResult } from './results';
import { round } from './stats';

/** The issue's targets for this 2-core machine, load generator included. */
export const TARGETS = [
  {
    title: 'sold-out path',
    runId: 'defaults/sold-out',
    minRequestsPerSecond: 10_000,
    maxP99Ms: 25,
  },
  {
    title: 'live sale',
    runId: 'defaults/live-sale',
    minRequestsPerSecond: 5_000,
    maxP99Ms: 50,
  },
] as const;

export function formatNumber(value: number): string {
  return round(value).toLocaleString('en-US');
}

/** A figure with the range over repeated rounds, when there were several: `2,243 (2,079–2,489)`. */
export function withRange(value: number, rounds: number[] | undefined): string {
  if (!rounds || rounds.length < 2) return formatNumber(value);
  return `${formatNumber(value)} (${formatNumber(Math.min(...rounds))}–${formatNumber(Math.max(...rounds))})`;
}

/**
 * A plain fixed-width table. Columns are right-aligned (figures) except the first `textColumns`,
 * which are left-aligned (names).
 */
export function formatTable(header: string[], rows: string[][], textColumns = 1): string {
  const widths = header.map((cell, column) =>
    Math.max(cell.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) =>
        column < textColumns ? cell.padEnd(widths[column]) : cell.padStart(widths[column]),
      )
      .join('  ')
      .trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** The runs table, one row per run: the same columns in the terminal and in the HTML report. */
export const RUNS_TABLE_HEADER = [
  'run',
  'req/s',
  'p50 ms',
  'p95 ms',
  'p99 ms',
  'max ms',
  'CPU µs/req',
  'requests',
  '409',
  'errors',
  'oversold',
];

export function runsTableRow(run: RunResult): string[] {
  return [
    run.id,
    withRange(run.requestsPerSecond, run.repeats?.requestsPerSecond),
    formatNumber(run.latency.p50),
    formatNumber(run.latency.p95),
    withRange(run.latency.p99, run.repeats?.p99Ms),
    formatNumber(run.latency.max),
    run.serviceCpu
      ? withRange(run.serviceCpu.microsPerRequest, run.repeats?.cpuMicrosPerRequest)
      : '—',
    formatNumber(run.requests),
    formatNumber(run.conflicts),
    formatNumber(run.errors),
    run.verified ? String(run.oversold) : `${run.oversold} (!)`,
  ];
}

export function formatRunsTable(runs: RunResult[]): string {
  return formatTable(RUNS_TABLE_HEADER, runs.map(runsTableRow));
}

export interface PairRow {
  pair: PairPlan;
  on?: RunResult;
  off?: RunResult;
  /** on/off throughput: above 1 means the speed-up pays. */
  throughputGain?: number;
  /**
   * With --repeat: on/off throughput round by round. The two runs of a round are scheduled close
   * together, so these paired ratios cancel the machine's drift between rounds.
   */
  roundGains?: number[];
}

/** "2/3 ×1.10 ×0.95 ×1.22": the rounds the speed-up won, then each round's gain. */
export function formatRoundGains(gains: number[] | undefined): string {
  if (!gains || gains.length < 2) return '—';
  const won = gains.filter((gain) => gain > 1).length;
  return `${won}/${gains.length} ${gains.map((gain) => `×${gain.toFixed(2)}`).join(' ')}`;
}

export function pairRows(pairs: PairPlan[], runs: RunResult[]): PairRow[] {
  const byId = new Map(runs.map((run) => [run.id, run]));
  return pairs.map((pair) => {
    const on = byId.get(pair.onRun);
    const off = byId.get(pair.offRun);
    const throughputGain =
      on && off && off.requestsPerSecond > 0
        ? on.requestsPerSecond / off.requestsPerSecond
        : undefined;
    const onRounds = on?.repeats?.requestsPerSecond;
    const offRounds = off?.repeats?.requestsPerSecond;
    const roundGains =
      onRounds && offRounds && onRounds.length === offRounds.length
        ? onRounds.map((value, round) => value / offRounds[round])
        : undefined;
    return { pair, on, off, throughputGain, roundGains };
  });
}

export const PAIRS_TABLE_HEADER = [
  'speed-up (scenario)',
  'off switch',
  'on req/s',
  'off req/s',
  'gain',
  'rounds won',
  'on p99 ms',
  'off p99 ms',
  'on CPU µs/req',
  'off CPU µs/req',
];

/** One A/B table row, for the terminal and the HTML report alike. */
export function pairsTableRow({ pair, on, off, throughputGain, roundGains }: PairRow): string[] {
  const figure = (value: number | undefined) => (value === undefined ? '—' : formatNumber(value));
  return [
    `${pair.title} (${pair.scenario})`,
    pair.offSwitch,
    on ? withRange(on.requestsPerSecond, on.repeats?.requestsPerSecond) : '—',
    off ? withRange(off.requestsPerSecond, off.repeats?.requestsPerSecond) : '—',
    throughputGain === undefined ? '—' : `×${throughputGain.toFixed(2)}`,
    formatRoundGains(roundGains),
    figure(on?.latency.p99),
    figure(off?.latency.p99),
    figure(on?.serviceCpu?.microsPerRequest),
    figure(off?.serviceCpu?.microsPerRequest),
  ];
}

export function formatPairsTable(rows: PairRow[]): string {
  return formatTable(PAIRS_TABLE_HEADER, rows.map(pairsTableRow), 2);
}

export function evaluateTargets(runs: RunResult[], connections: number): TargetResult[] {
  const byId = new Map(runs.map((run) => [run.id, run]));
  return TARGETS.map((target) => {
    const run = byId.get(target.runId);
    const requirement = `≥ ${formatNumber(target.minRequestsPerSecond)} req/s, p99 ≤ ${target.maxP99Ms} ms at ${connections} connections, 0 oversold`;
    if (!run)
      return {
        title: target.title,
        runId: target.runId,
        requirement,
        measured: 'not run',
        met: false,
      };
    const meets = (requestsPerSecond: number, p99: number) =>
      requestsPerSecond >= target.minRequestsPerSecond && p99 <= target.maxP99Ms;
    const checked = run.oversold === 0 && run.verified;
    const { repeats } = run;
    const rounds = repeats?.requestsPerSecond.map((requestsPerSecond, index) =>
      meets(requestsPerSecond, repeats.p99Ms[index]),
    );
    const roundsMet = rounds && {
      met: checked ? rounds.filter(Boolean).length : 0,
      of: rounds.length,
    };
    return {
      title: target.title,
      runId: target.runId,
      requirement,
      measured:
        `${formatNumber(run.requestsPerSecond)} req/s, p99 ${formatNumber(run.latency.p99)} ms, ${run.oversold} oversold` +
        (roundsMet ? `; ${roundsMet.met} of ${roundsMet.of} rounds met it on their own` : ''),
      met: checked && meets(run.requestsPerSecond, run.latency.p99),
      ...(roundsMet ? { roundsMet } : {}),
    };
  });
}

export function formatTargets(targets: TargetResult[]): string {
  return targets
    .map(
      (target) =>
        `${target.met ? 'MET    ' : 'NOT MET'}  ${target.title}: ${target.measured} (target ${target.requirement})`,
    )
    .join('\n');
}
