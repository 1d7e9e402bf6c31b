import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Clock } from '../common/clock';
import { PeriodicTask } from '../common/periodic-task';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { Store } from '../store/store';
import { ReservationsService } from './reservations.service';

/** Retention needs no precision finer than this: ended holds are kept for days. */
export const PURGE_INTERVAL_MS = 60_000;
const DAY_MS = 86_400_000;

/**
 * Every EXPIRY_SWEEP_MS, releases the reservations whose hold ran out (indexed query, in batches),
 * then expires the waitlist entries whose time in line ran out.
 * Each goes through the store's conditional transition, so sweepers in several processes never
 * expire one twice. Runs wherever WorkersModule is imported (the worker process, WORKERS=inline).
 */
@Injectable()
export class ExpirySweeper implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(ExpirySweeper.name);
  private readonly task = new PeriodicTask(
    'expiry sweep',
    () => this.expireDue(),
    this.logger,
    () => this.metrics.recordHeartbeat('expiry-sweep'),
  );
  expiredTotal = 0;
  private purgedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly store: Store,
    private readonly reservations: ReservationsService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    this.task.start(this.config.expirySweepMs);
    this.metrics.recordTaskInterval('expiry-sweep', this.config.expirySweepMs);
  }

  /** Before the store closes, so a sweep in progress can finish its transitions. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.task.stop();
  }

  /** Expires everything due now (or joins the sweep in progress); returns how many were expired. */
  sweep(): Promise<number> {
    return this.task.run();
  }

  /** Expires everything due now, batch after batch; returns how many this process expired. */
  private async expireDue(): Promise<number> {
    let expired = 0;
    const batchSize = this.config.expirySweepBatch;
    for (;;) {
      const now = this.clock.now();
      const due = await this.store.findDueReservations(now, batchSize);
      let expiredInBatch = 0;
      for (const reservation of due) {
        try {
          if (await this.reservations.expire(reservation.id)) expiredInBatch += 1;
        } catch (error) {
          this.logger.warn(`could not expire ${reservation.id}: ${(error as Error).message}`);
        }
      }
      expired += expiredInBatch;
      // A full batch that moved nothing (every one failing) would loop forever; try again next tick.
      if (due.length < batchSize || expiredInBatch === 0) break;
    }
    this.expiredTotal += expired;
    this.metrics.expired.inc(expired);
    if (expired > 0) this.logger.log(`expired ${expired} reservation(s)`);
    await this.expireWaitlistEntries();
    await this.purgeEnded();
    return expired;
  }

  /**
   * Waitlist entries past WAITLIST_TTL_SECONDS become `expired`, batch after batch; the store
   * tells their shoppers (waitlist streams). Conditional per entry, so sweepers in several
   * processes never expire one twice.
   */
  private async expireWaitlistEntries(): Promise<void> {
    const batchSize = this.config.expirySweepBatch;
    let expired = 0;
    for (;;) {
      const batch = await this.store.expireWaitlistEntries(this.clock.now(), batchSize);
      expired += batch.length;
      if (batch.length < batchSize) break;
    }
    if (expired > 0)
      this.logger.log(`expired ${expired} waitlist entr${expired === 1 ? 'y' : 'ies'}`);
  }

  /**
   * At most once a minute, and only on a store without a TTL of its own (the memory store; MongoDB's
   * TTL index does it there): deletes released and expired holds older than RETENTION_DAYS.
   */
  private async purgeEnded(): Promise<void> {
    const { retentionDays } = this.config;
    if (!this.store.purgeEndedReservations || retentionDays === 0) return;
    const now = this.clock.now().getTime();
    if (now - this.purgedAt < PURGE_INTERVAL_MS) return;
    this.purgedAt = now;
    const purged = await this.store.purgeEndedReservations(new Date(now - retentionDays * DAY_MS));
    if (purged > 0) {
      this.logger.log(`deleted ${purged} reservation(s) ended over ${retentionDays} days ago`);
    }
  }
}
