import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { Clock } from '../common/clock';
import { Store } from '../store/store';

/**
 * The Prometheus metrics (docs/architecture.md §10). Labels stay low-cardinality: result codes, limiter names —
 * never user or variant ids. Each app instance has its own registry, so tests can run several.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly collectors: Array<() => void> = [];

  readonly reservationOutcomes = new Counter({
    name: 'stockhold_reservation_outcomes_total',
    help: 'Reservation attempts by result (created, or the error code)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly reservationDuration = new Histogram({
    name: 'stockhold_reservation_duration_seconds',
    help: 'Time to answer a reservation attempt, by result',
    labelNames: ['result'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly rateLimited = new Counter({
    name: 'stockhold_rate_limited_total',
    help: 'Requests refused with 429, by limiter',
    labelNames: ['limiter'] as const,
    registers: [this.registry],
  });

  readonly redisFallbacks = new Counter({
    name: 'stockhold_rate_limit_redis_fallbacks_total',
    help: 'Rate-limit checks answered by the per-process limiter because Redis was unavailable',
    registers: [this.registry],
  });

  readonly transactionRetries = new Gauge({
    name: 'stockhold_store_transaction_retries_total',
    help: 'Store transaction callbacks run again after a transient error (WriteConflict and the like)',
    registers: [this.registry],
  });

  readonly storeReserveAttempts = new Counter({
    name: 'stockhold_store_reserve_attempts_total',
    help: 'Single-hold reserve operations this process sent to the store (one MongoDB transaction each, retries aside); a request the sold-out gate answers sends none',
    registers: [this.registry],
  });

  readonly workerHeartbeat = new Gauge({
    name: 'stockhold_worker_heartbeat_timestamp_seconds',
    help: 'When a periodic background task (expiry sweep, needsSync sweep) last completed a run, Unix time',
    labelNames: ['task'] as const,
    registers: [this.registry],
  });

  readonly workerTaskInterval = new Gauge({
    name: 'stockhold_worker_task_interval_seconds',
    help: 'How often each periodic background task is meant to run (EXPIRY_SWEEP_MS, SEARCH_SWEEP_MS), so alerts can judge its heartbeat',
    labelNames: ['task'] as const,
    registers: [this.registry],
  });

  readonly expired = new Counter({
    name: 'stockhold_reservations_expired_total',
    help: 'Reservations expired by this process',
    registers: [this.registry],
  });

  readonly cartHoldOutcomes = new Counter({
    name: 'stockhold_cart_hold_outcomes_total',
    help: 'Cart hold requests by outcome (held: every line, partial: best_effort with refused lines, or the error code)',
    labelNames: ['policy', 'result'] as const,
    registers: [this.registry],
  });

  readonly holdExtensions = new Counter({
    name: 'stockhold_hold_extensions_total',
    help: 'Hold extension requests (single or group) by result (extended, or the error code)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {
    collectDefaultMetrics({ register: this.registry, prefix: 'stockhold_' });
    this.onScrape(() => this.transactionRetries.set(store.transactionRetries));
    // Metric objects live in the registry; the local only gives the collect callback a handle.
    const expiryLag: Gauge = new Gauge({
      name: 'stockhold_expiry_lag_seconds',
      help: 'How long the oldest active hold has been past its expiry (0 when none is due); grows while no sweeper runs',
      registers: [this.registry],
      collect: async () => {
        const seconds = await this.expiryLagSeconds();
        if (seconds !== undefined) expiryLag.set(seconds);
      },
    });
  }

  /**
   * Read from the store at scrape time, not set by the sweeper: a dead sweeper sets nothing, so
   * only the store can show that holds are piling up past their expiry. One indexed read (active
   * holds by expiresAt). Undefined while the store cannot answer (readiness reports that).
   */
  async expiryLagSeconds(): Promise<number | undefined> {
    const now = this.clock.now();
    try {
      const [oldest] = await this.store.findDueReservations(now, 1);
      return oldest ? Math.max(0, (now.getTime() - oldest.expiresAt.getTime()) / 1000) : 0;
    } catch {
      return undefined;
    }
  }

  /** A periodic background task starts, meant to run every `intervalMs`. */
  recordTaskInterval(task: string, intervalMs: number): void {
    this.workerTaskInterval.set({ task }, intervalMs / 1000);
  }

  /** A periodic background task finished a run (successful or not): its loop is alive. */
  recordHeartbeat(task: string): void {
    this.workerHeartbeat.set({ task }, this.clock.now().getTime() / 1000);
  }

  /**
   * Counts one reservation attempt and its time to answer. `result` is `created` or the error code.
   * `startedAt` is a performance.now() reading taken when the attempt began.
   */
  recordReservation(result: string, startedAt: number): void {
    this.reservationOutcomes.inc({ result });
    this.reservationDuration.observe({ result }, (performance.now() - startedAt) / 1000);
  }

  /** Registers a callback run before every scrape (to copy figures kept elsewhere). */
  onScrape(collect: () => void): void {
    this.collectors.push(collect);
  }

  async render(): Promise<string> {
    for (const collect of this.collectors) collect();
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
