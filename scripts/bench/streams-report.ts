/**
 * The figures of `npm run bench:streams`, as pure functions over what the bench recorded: its
 * options, the fan-out delays (raw, and net of the coalescing hold), missed messages, memory per
 * stream, and the printed summary.
 */
import { parseArgs } from 'node:util';
import type { StreamReceipts } from './sse-fleet';
import { summarizeLatencies, type LatencySummary } from './stats';

export interface StreamsOptions {
  streams: number;
  /** Changes spaced past the coalescing window: each goes out at once. */
  changes: number;
  /** Bursts of back-to-back changes: the first goes out at once, the rest are merged. */
  bursts: number;
  burstSize: number;
  /** LIVE_COALESCE_MS given to the service. */
  coalesceMs: number;
}

export const STREAMS_USAGE = `Usage: npm run bench:streams -- [--streams N] [--changes K] [--bursts B] [--burst-size S]
                               [--coalesce-ms MS]

  --streams N      open Server-Sent Events streams on one variant (default 1000)
  --changes K      stock changes spaced past the coalescing window (default 20)
  --bursts B       bursts of back-to-back changes inside one window (default 10)
  --burst-size S   changes per burst, at least 2 (default 5)
  --coalesce-ms MS the service's LIVE_COALESCE_MS (default 250, the service's default)
`;

export function parseStreamsOptions(args: string[]): StreamsOptions | 'help' {
  const { values } = parseArgs({
    args,
    options: {
      streams: { type: 'string', default: '1000' },
      changes: { type: 'string', default: '20' },
      bursts: { type: 'string', default: '10' },
      'burst-size': { type: 'string', default: '5' },
      'coalesce-ms': { type: 'string', default: '250' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  const integer = (name: keyof typeof values, min: number) => {
    const value = Number(values[name]);
    if (!Number.isInteger(value) || value < min) {
      throw new Error(`--${name} must be an integer ≥ ${min}`);
    }
    return value;
  };
  const options = {
    streams: integer('streams', 1),
    changes: integer('changes', 0),
    bursts: integer('bursts', 0),
    burstSize: integer('burst-size', 2),
    coalesceMs: integer('coalesce-ms', 1),
  };
  if (options.changes + options.bursts === 0) throw new Error('--changes or --bursts must be ≥ 1');
  return options;
}

/**
 * A message every stream should receive. `changeSentAt` is when the change that produced it was
 * sent (performance.now(), before the admin request left): the delay includes that request's
 * own handling, so it is an upper bound of change → message. `holdUntil`, for a message the
 * coalescing held back, is the earliest the service could have sent it: the window opened no
 * earlier than the burst's first change was sent, so subtracting it never flatters the service.
 */
export interface ExpectedMessage {
  version: number;
  kind: 'spaced' | 'burst-first' | 'burst-final';
  changeSentAt: number;
  holdUntil?: number;
}

export interface FanOut {
  /** Change → message at each stream, every expected message. */
  raw: LatencySummary;
  /** The same, less the time the coalescing window held the message back. */
  net: LatencySummary;
  /** Raw delays of the messages sent at once (spaced changes, first change of a burst). */
  immediate: LatencySummary;
  /** Raw delays of the merged messages (last change of a burst). */
  merged: LatencySummary;
  /** Expected (stream, message) pairs that never arrived. */
  missed: number;
  /** Streams whose last version is not the final one. */
  finalMissing: number;
  /** Intermediate versions of a burst that arrived although the window should have merged them. */
  unmerged: number;
  /** Versions that arrived lower than one already received. */
  outOfOrder: number;
}

export function fanOut(expected: ExpectedMessage[], receipts: StreamReceipts[]): FanOut {
  const raw: number[] = [];
  const net: number[] = [];
  const immediate: number[] = [];
  const merged: number[] = [];
  let missed = 0;
  let finalMissing = 0;
  let unmerged = 0;
  let outOfOrder = 0;
  const wanted = new Set(expected.map((message) => message.version));
  const first = Math.min(...expected.map((message) => message.version));
  const final = Math.max(...expected.map((message) => message.version));
  for (const stream of receipts) {
    const arrivals = new Map<number, number>();
    let highest = -Infinity;
    stream.versions.forEach((version, index) => {
      if (version < highest) outOfOrder += 1;
      highest = Math.max(highest, version);
      if (!arrivals.has(version)) arrivals.set(version, stream.times[index]);
      if (version > first && version < final && !wanted.has(version)) unmerged += 1;
    });
    if (stream.versions[stream.versions.length - 1] !== final) finalMissing += 1;
    for (const message of expected) {
      const at = arrivals.get(message.version);
      if (at === undefined) {
        missed += 1;
        continue;
      }
      const delay = at - message.changeSentAt;
      raw.push(delay);
      net.push(at - Math.max(message.changeSentAt, message.holdUntil ?? -Infinity));
      (message.kind === 'burst-final' ? merged : immediate).push(delay);
    }
  }
  return {
    raw: summarizeLatencies(raw),
    net: summarizeLatencies(net),
    immediate: summarizeLatencies(immediate),
    merged: summarizeLatencies(merged),
    missed,
    finalMissing,
    unmerged,
    outOfOrder,
  };
}

/** Memory of the service process after forced garbage collections. */
export interface MemoryFigures {
  /** VmRSS from /proc/<pid>/status. */
  rss: number;
  heapUsed: number;
  /** The JS heap's reserved size: part of the RSS whatever the heap holds. */
  heapTotal: number;
  /** Memory outside the JS heap held by JS objects (socket buffers among it). */
  external: number;
}

export function perStream(
  before: MemoryFigures,
  after: MemoryFigures,
  streams: number,
): MemoryFigures {
  return {
    rss: (after.rss - before.rss) / streams,
    heapUsed: (after.heapUsed - before.heapUsed) / streams,
    heapTotal: (after.heapTotal - before.heapTotal) / streams,
    external: (after.external - before.external) / streams,
  };
}

export interface StreamsReport {
  options: StreamsOptions;
  memory: { baseline: MemoryFigures; open: MemoryFigures; afterChanges: MemoryFigures };
  openSeconds: number;
  fanOut: FanOut;
  messagesExpected: number;
  /** Messages the service counted (stockhold_live_messages_total) during the changes. */
  messagesCounted: number;
  /** CPU per delivered message during the changes: the service's, and the clients' (this process). */
  serviceCpuMicrosPerMessage?: number;
  clientCpuMicrosPerMessage: number;
  /**
   * The admin PATCH round trip, part of every raw delay: before any stream was open; for changes
   * whose message went out at once (the service writes it to every stream before it answers); and
   * for changes the coalescing window held back.
   */
  changeRoundTrip: { noStreams: LatencySummary; immediate: LatencySummary; held: LatencySummary };
}

const ms = (value: number) => `${value.toFixed(1)} ms`;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const line = (label: string, summary: LatencySummary) =>
  `  ${label.padEnd(34)} p50 ${ms(summary.p50).padStart(9)}  p99 ${ms(summary.p99).padStart(9)}  max ${ms(summary.max).padStart(9)}  (${summary.count} deliveries)`;

export function formatStreamsReport(report: StreamsReport): string {
  const { options, memory, fanOut: figures } = report;
  const each = perStream(memory.baseline, memory.open, options.streams);
  const afterTraffic = perStream(memory.baseline, memory.afterChanges, options.streams);
  const messages = options.changes + 2 * options.bursts;
  return [
    `${options.streams} streams on one variant, opened in ${report.openSeconds.toFixed(1)} s; ` +
      `LIVE_COALESCE_MS=${options.coalesceMs}`,
    '',
    'Service memory after forced GC (baseline → streams open → after the changes):',
    `  RSS            ${mib(memory.baseline.rss)} → ${mib(memory.open.rss)} → ${mib(memory.afterChanges.rss)}`,
    `  heap used      ${mib(memory.baseline.heapUsed)} → ${mib(memory.open.heapUsed)} → ${mib(memory.afterChanges.heapUsed)}`,
    `  heap reserved  ${mib(memory.baseline.heapTotal)} → ${mib(memory.open.heapTotal)} → ${mib(memory.afterChanges.heapTotal)}`,
    `  per open stream: RSS ${kib(each.rss)} (of which heap reserved ${kib(each.heapTotal)}), heap used ${kib(each.heapUsed)}, external ${kib(each.external)}` +
      ` (after the changes: RSS ${kib(afterTraffic.rss)}, heap ${kib(afterTraffic.heapUsed)})`,
    '',
    `Fan-out: ${options.changes} spaced changes + ${options.bursts} bursts of ${options.burstSize} ` +
      `(${messages} messages per stream expected), change sent → message received at each stream:`,
    line('raw, every message', figures.raw),
    line('net of the coalescing hold', figures.net),
    line('sent at once (spaced, burst first)', figures.immediate),
    line('merged (burst last), raw', figures.merged),
    `  admin change round trip (inside every raw delay), p50 / p99: no stream open ` +
      `${ms(report.changeRoundTrip.noStreams.p50)} / ${ms(report.changeRoundTrip.noStreams.p99)}; ` +
      `message sent at once ${ms(report.changeRoundTrip.immediate.p50)} / ${ms(report.changeRoundTrip.immediate.p99)}; ` +
      `held by the window ${ms(report.changeRoundTrip.held.p50)} / ${ms(report.changeRoundTrip.held.p99)}`,
    '',
    `Messages: ${figures.missed} missed, ${figures.finalMissing} streams without the final version, ` +
      `${figures.outOfOrder} out of order, ${figures.unmerged} burst versions not merged; ` +
      `the service counted ${report.messagesCounted} of ${report.messagesExpected} expected`,
    `CPU per delivered message: service ${report.serviceCpuMicrosPerMessage === undefined ? 'n/a' : `${report.serviceCpuMicrosPerMessage.toFixed(1)} µs`}, ` +
      `clients (this process) ${report.clientCpuMicrosPerMessage.toFixed(1)} µs`,
  ].join('\n');
}
