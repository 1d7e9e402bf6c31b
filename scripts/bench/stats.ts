/**
 * Latency and throughput statistics for the benchmark. Pure functions over recorded samples, so
 * the figures in the table, the JSON and the HTML charts all come from one place.
 */

export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** One second of a run: how many answers, how fast, and how many were not the expected status. */
export interface SecondSample {
  second: number;
  requests: number;
  unexpected: number;
  p50: number;
  p99: number;
  max: number;
}

/**
 * Nearest-rank percentile of an ascending array: the smallest value with at least `p` percent of
 * the samples at or below it. Exact (no histogram buckets), so small runs are not rounded up.
 */
export function percentile(sortedAscending: ArrayLike<number>, p: number): number {
  const n = sortedAscending.length;
  if (n === 0) return 0;
  if (p <= 0) return sortedAscending[0];
  const rank = Math.ceil((p / 100) * n);
  return sortedAscending[Math.min(n, rank) - 1];
}

export function summarizeLatencies(latenciesMs: ArrayLike<number>): LatencySummary {
  const sorted = Float64Array.from(latenciesMs).sort();
  const count = sorted.length;
  let total = 0;
  for (let i = 0; i < count; i++) total += sorted[i];
  return {
    count,
    mean: count === 0 ? 0 : total / count,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: count === 0 ? 0 : sorted[count - 1],
  };
}

/**
 * Collects one run's answers as they arrive. Storage is a growable Float64Array so a 15,000 req/s
 * run does not allocate an object per response in the load generator (which shares the CPU).
 */
export class ResponseRecorder {
  private latencies = new Float64Array(1 << 16);
  private offsets = new Float64Array(1 << 16);
  private unexpectedFlags = new Uint8Array(1 << 16);
  private size = 0;
  readonly statusCounts = new Map<number, number>();

  /** `offsetMs` is the time since the run started; `latencyMs` the request's round trip. */
  record(offsetMs: number, latencyMs: number, status: number, expected: boolean): void {
    if (this.size === this.latencies.length) this.grow();
    this.latencies[this.size] = latencyMs;
    this.offsets[this.size] = offsetMs;
    this.unexpectedFlags[this.size] = expected ? 0 : 1;
    this.size += 1;
    this.statusCounts.set(status, (this.statusCounts.get(status) ?? 0) + 1);
  }

  get count(): number {
    return this.size;
  }

  get unexpected(): number {
    let total = 0;
    for (let i = 0; i < this.size; i++) total += this.unexpectedFlags[i];
    return total;
  }

  summary(): LatencySummary {
    return summarizeLatencies(this.latencies.subarray(0, this.size));
  }

  /** Per-second series for the latency-over-time and throughput charts. */
  perSecond(durationSeconds: number): SecondSample[] {
    const buckets: number[][] = Array.from({ length: Math.max(1, durationSeconds) }, () => []);
    const unexpected = new Array<number>(buckets.length).fill(0);
    for (let i = 0; i < this.size; i++) {
      // Answers that land just after the last full second still belong to the run's last second.
      const second = Math.min(buckets.length - 1, Math.floor(this.offsets[i] / 1000));
      buckets[second].push(this.latencies[i]);
      unexpected[second] += this.unexpectedFlags[i];
    }
    return buckets.map((values, second) => {
      const summary = summarizeLatencies(values);
      return {
        second,
        requests: values.length,
        unexpected: unexpected[second],
        p50: summary.p50,
        p99: summary.p99,
        max: summary.max,
      };
    });
  }

  private grow(): void {
    const capacity = this.latencies.length * 2;
    const latencies = new Float64Array(capacity);
    latencies.set(this.latencies);
    const offsets = new Float64Array(capacity);
    offsets.set(this.offsets);
    const flags = new Uint8Array(capacity);
    flags.set(this.unexpectedFlags);
    this.latencies = latencies;
    this.offsets = offsets;
    this.unexpectedFlags = flags;
  }
}

/** Rounds for display: two significant decimals under 10, one under 100, none above. */
export function round(value: number): number {
  if (!Number.isFinite(value)) return value;
  const abs = Math.abs(value);
  const digits = abs < 10 ? 2 : abs < 100 ? 1 : 0;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
