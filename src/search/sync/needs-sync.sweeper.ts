import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { PeriodicTask } from '../../common/periodic-task';
import { AppConfig } from '../../config/app-config';
import { MetricsService } from '../../metrics/metrics.service';
import { Store } from '../../store/store';
import { SearchSyncQueue } from './search-sync.queue';
import { SearchSyncService } from './search-sync.service';

/** Pending variants read per query. */
const SWEEP_BATCH = 500;
/** Direct syncs run at once (Redis down): enough to keep up, few enough to spare the store. */
const DIRECT_CONCURRENCY = 8;
/** Batches per sweep at most, so a sweep under a constant stream of changes still ends. */
const MAX_BATCHES = 20;

export interface SweepResult {
  /** Variants handed to the queue. */
  queued: number;
  /** Variants synced in this process because the queue was unavailable. */
  synced: number;
}

/**
 * The durable backstop of the search sync (docs/architecture.md §5, §8). Every SEARCH_SWEEP_MS it takes the
 * inventory still flagged needsSync — a trigger lost to a Redis crash, a crash between commit and
 * enqueue, a job that ran out of attempts — and queues each variant again. While the queue cannot
 * be reached it syncs them itself, with the same sync the worker runs, so search stays current
 * with Redis down.
 */
@Injectable()
export class NeedsSyncSweeper implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(NeedsSyncSweeper.name);
  private readonly task = new PeriodicTask(
    'needsSync sweep',
    () => this.sweepBatches(),
    this.logger,
    () => this.metrics.recordHeartbeat('needs-sync-sweep'),
  );

  constructor(
    private readonly store: Store,
    private readonly queue: SearchSyncQueue,
    private readonly sync: SearchSyncService,
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    this.task.start(this.config.searchSweepMs);
    this.metrics.recordTaskInterval('needs-sync-sweep', this.config.searchSweepMs);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.task.stop();
  }

  /** Queues (or, without a queue, syncs) every variant still flagged needsSync; joins a sweep in progress. */
  sweep(): Promise<SweepResult> {
    return this.task.run();
  }

  private async sweepBatches(): Promise<SweepResult> {
    const result: SweepResult = { queued: 0, synced: 0 };
    for (let batch = 1; batch <= MAX_BATCHES; batch++) {
      const pending = await this.store.findPendingSyncs(SWEEP_BATCH);
      const direct: string[] = [];
      for (const { variantId } of pending) {
        if (await this.queue.enqueue(variantId)) result.queued += 1;
        else direct.push(variantId);
      }
      const { synced, settled } = await this.syncDirectly(direct);
      result.synced += synced;
      // Queued variants stay flagged until the worker gets to them, so the next query would return
      // them again: only go on while direct syncs are clearing flags and a full batch came back.
      if (pending.length < SWEEP_BATCH || settled === 0) break;
    }
    if (result.synced > 0) {
      this.logger.log(`search queue unavailable: synced ${result.synced} variant(s) directly`);
    }
    return result;
  }

  /** Syncs in this process: how many synced, and how many of those cleared their flag. */
  private async syncDirectly(variantIds: string[]): Promise<{ synced: number; settled: number }> {
    let synced = 0;
    let settled = 0;
    for (let start = 0; start < variantIds.length; start += DIRECT_CONCURRENCY) {
      const chunk = variantIds.slice(start, start + DIRECT_CONCURRENCY);
      const outcomes = await Promise.allSettled(chunk.map((id) => this.sync.sync(id, 'direct')));
      outcomes.forEach((outcome, index) => {
        if (outcome.status === 'fulfilled') {
          synced += 1;
          if (outcome.value.settled) settled += 1;
        } else {
          const reason = (outcome.reason as Error)?.message ?? String(outcome.reason);
          this.logger.warn(`direct search sync of ${chunk[index]} failed: ${reason}`);
        }
      });
    }
    return { synced, settled };
  }
}
