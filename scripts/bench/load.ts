import autocannon from 'autocannon';
import { PerformanceObserver, performance, type PerformanceEntry } from 'node:perf_hooks';
import { ResponseRecorder } from './stats';

export interface RequestShape {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/**
 * `next`: a new request each time (the live sale: every attempt a new shopper or variant).
 * `cycle`: every connection sends these in turn (retrying shoppers, readers, the yardstick).
 */
export type RequestSource = { next: () => RequestShape } | { cycle: RequestShape[] };

export interface LoadSpec {
  url: string;
  connections: number;
  /**
   * Seconds of load before the measured window opens: V8 optimises the hot path, and the load
   * generator opens its connections and builds its request lists, all outside the window.
   */
  warmupSeconds: number;
  /** Seconds measured. */
  seconds: number;
  /** Where requests come from: a fresh one per request, or a fixed list cycled through. */
  requests: RequestSource;
  expectedStatuses: readonly number[];
  /** Called as the measured window opens and closes (the bench reads the service's CPU time). */
  onWindow?: (edge: 'open' | 'close') => void;
}

export interface LoadOutcome {
  /** Every answer that arrived inside the measured window, with its latency. */
  recorder: ResponseRecorder;
  /** The statuses of every answer, warm-up included: what the stock check must account for. */
  allStatusCounts: Map<number, number>;
  /** The measured window's length. */
  elapsedSeconds: number;
  /** Over the whole load, warm-up included. */
  socketErrors: number;
  timeouts: number;
  /** The load generator's own GC pauses inside the window: they land in every in-flight latency. */
  loadGeneratorGc: GcPauses;
}

export interface GcPauses {
  count: number;
  totalMs: number;
  maxMs: number;
}

/**
 * Drives one load with autocannon (keep-alive connections, one request in flight per connection):
 * the warm-up, then the measured window, on the same connections. Every answer that arrives
 * inside the window is recorded with its arrival time, latency and status.
 *
 * One autocannon instance spans both phases. Started afresh for the window, it opened 100 new
 * connections and built each one's request list (50,000 requests for the sold-out list) inside
 * it, and the answers it could not read meanwhile showed up as a first second of 300–900 ms
 * latencies: the load generator's start-up, reported as the service's p99.
 */
export function runLoad(spec: LoadSpec): Promise<LoadOutcome> {
  const recorder = new ResponseRecorder();
  const allStatusCounts = new Map<number, number>();
  const expected = new Set(spec.expectedStatuses);
  let windowOpenedAt: number | undefined;
  let windowClosedAt: number | undefined;
  const openWindow = () => {
    windowOpenedAt = performance.now();
    spec.onWindow?.('open');
  };
  const closeWindow = () => {
    if (windowOpenedAt === undefined || windowClosedAt !== undefined) return;
    windowClosedAt = performance.now();
    spec.onWindow?.('close');
  };
  const gc: GcPauses = { count: 0, totalMs: 0, maxMs: 0 };
  // GC entries are delivered after the fact, so each is placed in the window by its start time.
  const countGc = (entries: readonly PerformanceEntry[]) => {
    for (const entry of entries) {
      if (windowOpenedAt === undefined || entry.startTime < windowOpenedAt) continue;
      if (windowClosedAt !== undefined && entry.startTime >= windowClosedAt) continue;
      gc.count += 1;
      gc.totalMs += entry.duration;
      gc.maxMs = Math.max(gc.maxMs, entry.duration);
    }
  };
  const gcObserver = new PerformanceObserver((entries) => countGc(entries.getEntries()));
  gcObserver.observe({ entryTypes: ['gc'] });
  const timers = [
    setTimeout(openWindow, spec.warmupSeconds * 1000),
    setTimeout(closeWindow, (spec.warmupSeconds + spec.seconds) * 1000),
  ];
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.url,
        connections: spec.connections,
        duration: spec.warmupSeconds + spec.seconds,
        timeout: 10,
        // A fixed list is built into raw bytes once; a function costs the load generator a
        // request build per request, CPU the service then cannot have on a 2-core machine.
        requests:
          'cycle' in spec.requests
            ? spec.requests.cycle
            : [{ setupRequest: (spec.requests as { next: () => RequestShape }).next }],
      },
      (error, result) => {
        timers.forEach(clearTimeout);
        countGc(gcObserver.takeRecords());
        gcObserver.disconnect();
        if (windowOpenedAt === undefined) openWindow();
        closeWindow();
        if (error) {
          reject(error);
          return;
        }
        resolve({
          recorder,
          allStatusCounts,
          elapsedSeconds: ((windowClosedAt ?? 0) - (windowOpenedAt ?? 0)) / 1000,
          socketErrors: result.errors - result.timeouts,
          timeouts: result.timeouts,
          loadGeneratorGc: gc,
        });
      },
    );
    instance.on('response', (_client, status, _bytes, latencyMs) => {
      allStatusCounts.set(status, (allStatusCounts.get(status) ?? 0) + 1);
      if (windowOpenedAt === undefined || windowClosedAt !== undefined) return;
      recorder.record(performance.now() - windowOpenedAt, latencyMs, status, expected.has(status));
    });
  });
}
