import autocannon from 'autocannon';
import { performance } from 'node:perf_hooks';
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
  seconds: number;
  /** Where requests come from: a fresh one per request, or a fixed list cycled through. */
  requests: RequestSource;
  expectedStatuses: readonly number[];
}

export interface LoadOutcome {
  recorder: ResponseRecorder;
  elapsedSeconds: number;
  socketErrors: number;
  timeouts: number;
}

/**
 * Drives one fixed-duration load with autocannon (keep-alive connections, one request in flight
 * per connection) and records every answer: its arrival time, latency and status.
 */
export function runLoad(spec: LoadSpec): Promise<LoadOutcome> {
  const recorder = new ResponseRecorder();
  const expected = new Set(spec.expectedStatuses);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const instance = autocannon(
      {
        url: spec.url,
        connections: spec.connections,
        duration: spec.seconds,
        timeout: 10,
        // A fixed list is built into raw bytes once; a function costs the load generator a
        // request build per request, CPU the service then cannot have on a 2-core machine.
        requests:
          'cycle' in spec.requests
            ? spec.requests.cycle
            : [{ setupRequest: (spec.requests as { next: () => RequestShape }).next }],
      },
      (error, result) => {
        if (error) {
          reject(error);
          return;
        }
        resolve({
          recorder,
          elapsedSeconds: (performance.now() - started) / 1000,
          socketErrors: result.errors - result.timeouts,
          timeouts: result.timeouts,
        });
      },
    );
    instance.on('response', (_client, status, _bytes, latencyMs) => {
      recorder.record(performance.now() - started, latencyMs, status, expected.has(status));
    });
  });
}
