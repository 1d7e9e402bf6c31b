import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Worker, type Job } from 'bullmq';
import { withTimeout } from '../../common/with-timeout';
import { SearchSyncQueue, SEARCH_SYNC_QUEUE, type SearchSyncJob } from './search-sync.queue';
import { SearchSyncService } from './search-sync.service';

/** Jobs run at once per process; one variant never has two (see SearchSyncQueue). */
const CONCURRENCY = 8;
/** Time for in-flight jobs to finish on shutdown (compose gives the worker 30 s after SIGTERM). */
const SHUTDOWN_GRACE_MS = 20_000;
const FORCED_CLOSE_MS = 1_000;

/**
 * The BullMQ worker of the search-sync queue (docs/architecture.md §5). Each job syncs its variant; a thrown
 * error is retried with exponential backoff, and a job out of attempts stays in the failed set.
 *
 * When the inventory moved on during the sync (needsSync could not be cleared), the variant is
 * queued again. That normally duplicates the trigger the change itself queued (kept aside by
 * BullMQ while this job runs), and covers a change whose own trigger was lost — a crash between
 * commit and enqueue, or a Redis blip — without waiting for the sweeper.
 */
@Injectable()
export class SearchSyncWorker implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(SearchSyncWorker.name);
  private worker?: Worker<SearchSyncJob>;
  private outageLogged = false;
  /** Syncs running now, so a shutdown with Redis away can still let them finish. */
  private readonly inFlight = new Set<Promise<number | null>>();

  constructor(
    private readonly queue: SearchSyncQueue,
    private readonly sync: SearchSyncService,
  ) {}

  onModuleInit(): void {
    const worker = new Worker<SearchSyncJob>(SEARCH_SYNC_QUEUE, (job) => this.process(job), {
      // BullMQ duplicates this client for its own (blocking) connections and closes those itself.
      connection: this.queue.connection,
      prefix: this.queue.prefix,
      concurrency: CONCURRENCY,
    });
    worker.on('failed', (job, error) => {
      if (!job) return;
      const attempts = job.opts.attempts ?? 1;
      if (job.attemptsMade >= attempts) {
        this.logger.warn(
          `search sync of ${job.data.variantId} failed ${job.attemptsMade} time(s), left in the ` +
            `failed set (dead-letter queue); the needsSync sweeper will queue it again: ${error.message}`,
        );
      } else {
        this.logger.debug(
          `search sync of ${job.data.variantId} failed (attempt ${job.attemptsMade} of ${attempts}), retrying: ${error.message}`,
        );
      }
    });
    // Reconnection errors repeat every couple of seconds during an outage: say it once.
    worker.on('error', (error) => {
      if (this.outageLogged) return;
      this.outageLogged = true;
      this.logger.warn(`search-sync worker cannot reach Redis (${error.message}); retrying`);
    });
    worker.on('ready', () => {
      this.outageLogged = false;
    });
    this.worker = worker;
  }

  private async process(job: Job<SearchSyncJob>): Promise<number | null> {
    const running = this.syncAndRequeue(job.data.variantId);
    this.inFlight.add(running);
    try {
      return await running;
    } finally {
      this.inFlight.delete(running);
    }
  }

  private async syncAndRequeue(variantId: string): Promise<number | null> {
    const outcome = await this.sync.sync(variantId, 'queue');
    if (!outcome.settled) await this.queue.enqueue(variantId);
    return outcome.version;
  }

  /**
   * Before the store and Redis close: stop taking jobs and let the running ones finish.
   *
   * With Redis away BullMQ's graceful close would wait for Redis forever (its QUIT queues behind
   * the commands held for the reconnection), and no job could record its end anyway. So the
   * running syncs finish their store work, and the worker is force-closed; those jobs are picked
   * up again as stalled, and their needsSync flags cover them meanwhile.
   */
  async beforeApplicationShutdown(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    if (this.queue.available) {
      try {
        await withTimeout(worker.close(), SHUTDOWN_GRACE_MS, 'search-sync worker close');
        return;
      } catch (error) {
        this.logger.warn(`${(error as Error).message}; dropping its connections`);
      }
    } else {
      await withTimeout(
        Promise.allSettled([...this.inFlight]),
        SHUTDOWN_GRACE_MS,
        'running search syncs',
      ).catch(() => undefined);
    }
    // Neither call may be awaited unbounded: a client between reconnection attempts never
    // reports its end, though it is stopped once told to disconnect.
    await withTimeout(worker.close(true), FORCED_CLOSE_MS, 'search-sync worker forced close').catch(
      () => worker.disconnect().catch(() => undefined),
    );
  }
}
