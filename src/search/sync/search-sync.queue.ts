import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Queue } from 'bullmq';
import type Redis from 'ioredis';
import { RedisConnections } from '../../common/redis/redis-connections';
import { withTimeout } from '../../common/with-timeout';
import { AppConfig } from '../../config/app-config';
import { StockEvents } from '../../events/stock-events';
import { SearchSyncCounters } from './search-sync.counters';

export const SEARCH_SYNC_QUEUE = 'search-sync';
export const SEARCH_SYNC_JOB = 'sync';

export interface SearchSyncJob {
  variantId: string;
}

export interface SearchSyncCounts {
  waiting: number;
  active: number;
  delayed: number;
  /** Jobs that ran out of attempts: the dead-letter queue. */
  failed: number;
}

export interface DeadLetter {
  variantId: string;
  attemptsMade: number;
  failedReason: string;
}

interface PendingEnqueue {
  /** Another trigger arrived while this enqueue was on its way. */
  again: boolean;
  result: Promise<boolean>;
}

/** An enqueue is one Redis round trip; past this, Redis counts as unavailable for this trigger. */
const ENQUEUE_TIMEOUT_MS = 1000;
const COUNTS_TIMEOUT_MS = 1000;
/** The dead-letter queue keeps this many jobs; a stuck variant is re-queued by the sweeper anyway. */
const DEAD_LETTERS_KEPT = 10_000;

/**
 * The search-sync trigger queue (docs/architecture.md §5): one BullMQ job per variant, deduplicated by variant
 * id, so a hot variant's burst of changes coalesces into one waiting job.
 *
 * Deduplication alone would lose updates: a change committed while its variant's job is already
 * running (past its inventory read) would be dropped as a duplicate of that job. `keepLastIfActive`
 * makes BullMQ keep such a trigger aside and enqueue it when the running job finishes, so at most
 * one job per variant runs and at most one more waits.
 *
 * Enqueueing never blocks or fails a stock change: with Redis not ready it is skipped at once, and
 * a slow Redis is given up on after ENQUEUE_TIMEOUT_MS. A skipped trigger is not lost — the
 * inventory keeps `needsSync`, and the needsSync sweeper picks it up (or syncs it directly).
 */
@Injectable()
export class SearchSyncQueue implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(SearchSyncQueue.name);
  /** The Redis client of the queue; BullMQ workers duplicate their own connections from it. */
  readonly connection: Redis;
  /** QUEUE_PREFIX: the queue's Redis keys start with it; the worker must use the same one. */
  readonly prefix: string;
  private readonly queue: Queue<SearchSyncJob>;
  private closing = false;
  private failureLogged = false;
  /** Enqueues on their way to Redis, by variant (see enqueue). */
  private readonly pendingEnqueues = new Map<string, PendingEnqueue>();

  constructor(
    redis: RedisConnections,
    config: AppConfig,
    private readonly stockEvents: StockEvents,
    private readonly counters: SearchSyncCounters,
  ) {
    // Created with the provider, so RedisConnections' boot wait includes this connection.
    this.connection = redis.create('queue');
    this.prefix = config.queuePrefix;
    this.queue = new Queue<SearchSyncJob>(SEARCH_SYNC_QUEUE, {
      connection: this.connection,
      prefix: this.prefix,
      defaultJobOptions: {
        attempts: config.searchSyncAttempts,
        backoff: { type: 'exponential', delay: config.searchSyncBackoffMs },
        removeOnComplete: true,
        removeOnFail: { count: DEAD_LETTERS_KEPT },
      },
    });
    // Connection errors are already reported once per outage by RedisConnections; without a
    // listener, an 'error' event would be thrown as an uncaught exception.
    this.queue.on('error', () => undefined);
  }

  onModuleInit(): void {
    this.stockEvents.subscribe(async (variantId) => {
      await this.enqueue(variantId);
    });
  }

  /** True while Redis is connected: jobs can be queued now. */
  get available(): boolean {
    return !this.closing && this.connection.status === 'ready';
  }

  /**
   * Queues a sync of the variant; false when it could not be queued (the caller may sync
   * directly). Never throws and never waits on a Redis that is away.
   *
   * Triggers for a variant whose enqueue is still on its way to Redis are coalesced: they only
   * ask for one more enqueue once it returns. That one more is what keeps the last change: it
   * reaches Redis after that change committed, so whichever job it joins or creates reads the
   * inventory after it. A hot variant thus costs a couple of Redis calls at a time, not one per
   * change.
   */
  enqueue(variantId: string): Promise<boolean> {
    const pending = this.pendingEnqueues.get(variantId);
    if (pending) {
      pending.again = true;
      return pending.result;
    }
    const entry: PendingEnqueue = { again: false, result: Promise.resolve(false) };
    entry.result = (async () => {
      try {
        let queued = await this.add(variantId);
        // No await between this check and the delete below, so no trigger can slip in unseen.
        while (queued && entry.again) {
          entry.again = false;
          queued = await this.add(variantId);
        }
        return queued;
      } finally {
        this.pendingEnqueues.delete(variantId);
      }
    })();
    this.pendingEnqueues.set(variantId, entry);
    return entry.result;
  }

  private async add(variantId: string): Promise<boolean> {
    if (!this.available) {
      this.counters.skippedTriggers.inc();
      return false;
    }
    try {
      await withTimeout(
        this.queue.add(
          SEARCH_SYNC_JOB,
          { variantId },
          { deduplication: { id: variantId, keepLastIfActive: true } },
        ),
        ENQUEUE_TIMEOUT_MS,
        'search-sync enqueue',
      );
      this.failureLogged = false;
      return true;
    } catch (error) {
      this.counters.skippedTriggers.inc();
      // Once per run of failures: a struggling Redis must not also flood the log.
      if (!this.failureLogged) {
        this.failureLogged = true;
        this.logger.warn(
          `could not queue search sync (${(error as Error).message}); the needsSync sweeper covers it`,
        );
      }
      return false;
    }
  }

  /** Job counts, or null when Redis cannot say right now. */
  async counts(): Promise<SearchSyncCounts | null> {
    if (!this.available) return null;
    try {
      const counts = await withTimeout(
        this.queue.getJobCounts('waiting', 'active', 'delayed', 'failed'),
        COUNTS_TIMEOUT_MS,
        'search-sync job counts',
      );
      return {
        waiting: counts.waiting ?? 0,
        active: counts.active ?? 0,
        delayed: counts.delayed ?? 0,
        failed: counts.failed ?? 0,
      };
    } catch {
      return null;
    }
  }

  /** The newest jobs of the dead-letter queue (for operators and tests). */
  async deadLetters(limit = 100): Promise<DeadLetter[]> {
    if (!this.available) return [];
    const jobs = await withTimeout(
      this.queue.getFailed(0, limit - 1),
      COUNTS_TIMEOUT_MS,
      'search-sync failed jobs',
    );
    return jobs.map((job) => ({
      variantId: job.data.variantId,
      attemptsMade: job.attemptsMade,
      failedReason: job.failedReason,
    }));
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    // The connection is RedisConnections' (closed there); this only detaches the queue from it.
    await withTimeout(
      this.queue?.close() ?? Promise.resolve(),
      1000,
      'search-sync queue close',
    ).catch(() => undefined);
  }
}
