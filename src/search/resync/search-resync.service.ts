import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { randomUUID } from 'node:crypto';
import { Clock } from '../../common/clock';
import { RedisConnections } from '../../common/redis/redis-connections';
import { AppConfig } from '../../config/app-config';
import { Store } from '../../store/store';
import { runBackfill, type BackfillStore } from '../backfill/backfill-engine';
import { RedisLock } from './redis-lock';
import { SearchResyncMetrics, type ResyncOutcome } from './search-resync.metrics';

export interface SearchResyncOptions {
  /** The Redis key of the lock every instance competes for. */
  lockKey: string;
  /** How long the lock outlives a holder that died without releasing it. */
  lockTtlMs: number;
  /** How often the holder extends the lock; well under lockTtlMs so one slow renewal is harmless. */
  renewEveryMs: number;
  batchSize: number;
}

export const SEARCH_RESYNC_OPTIONS = Symbol('SEARCH_RESYNC_OPTIONS');

export const DEFAULT_SEARCH_RESYNC_OPTIONS: SearchResyncOptions = {
  lockKey: 'stockhold:search-resync:lock',
  lockTtlMs: 60_000,
  renewEveryMs: 20_000,
  batchSize: 500,
};

export const SEARCH_RESYNC_JOB = 'search-resync';

export interface ResyncReport {
  outcome: ResyncOutcome;
  /** Variants walked; 0 unless this instance ran. */
  processed: number;
  written: number;
}

/**
 * The daily search resync (docs/architecture.md §5): on SEARCH_RESYNC_CRON, one instance — whichever takes the
 * Redis lock — walks every variant with the backfill engine and rewrites any search document that
 * is missing or behind. It is the backstop behind the sync queue and the needsSync sweeper.
 *
 * No checkpoint: a run that dies is simply walked again in full next time (the upserts are
 * idempotent and version-guarded), and in between the queue and the sweeper keep search current,
 * so a partial resync loses nothing. A shared resume point would only add state to go stale.
 * Without Redis the run is skipped with a warning, never run unlocked.
 */
@Injectable()
export class SearchResyncService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('SearchResync');
  private readonly lock: RedisLock;
  /** Stops the run in progress at its next batch boundary (shutdown). */
  private activeRun?: { stop: AbortController; done: Promise<ResyncReport> };

  constructor(
    // Typed narrowly: the walk needs these two operations and nothing else of the Store port.
    @Inject(Store) private readonly store: BackfillStore,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    redis: RedisConnections,
    private readonly schedulerRegistry: SchedulerRegistry,
    private readonly metrics: SearchResyncMetrics,
    @Inject(SEARCH_RESYNC_OPTIONS) private readonly options: SearchResyncOptions,
  ) {
    this.lock = new RedisLock(redis.commands, options.lockKey, options.lockTtlMs);
  }

  onApplicationBootstrap(): void {
    let job: CronJob;
    try {
      job = CronJob.from({
        cronTime: this.config.searchResyncCron,
        onTick: async () => {
          await this.runNow();
        },
        // A tick while the previous run is still going is skipped, not stacked.
        waitForCompletion: true,
        start: false,
      });
    } catch (error) {
      throw new Error(
        `SEARCH_RESYNC_CRON "${this.config.searchResyncCron}" is not a valid cron expression: ${(error as Error).message}`,
      );
    }
    this.schedulerRegistry.addCronJob(SEARCH_RESYNC_JOB, job);
    job.start();
    this.logger.log(
      `search resync scheduled (${this.config.searchResyncCron}), next at ${job.nextDate().toISO()}`,
    );
  }

  /**
   * Before, not on, shutdown: the run in progress must finish its batch and release its lock while
   * the store and Redis (closed in onApplicationShutdown) are still open.
   */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.schedulerRegistry.doesExist('cron', SEARCH_RESYNC_JOB)) {
      this.schedulerRegistry.deleteCronJob(SEARCH_RESYNC_JOB);
    }
    const run = this.activeRun;
    if (run) {
      run.stop.abort();
      await run.done;
    }
  }

  /** Runs the resync now if this instance can take the lock. Never throws. */
  async runNow(): Promise<ResyncReport> {
    const token = randomUUID();
    let acquired: boolean;
    try {
      acquired = await this.lock.acquire(token);
    } catch (error) {
      this.logger.warn(
        `search resync skipped: Redis is unavailable for its lock (${(error as Error).message}); ` +
          'it never runs unlocked, the next scheduled run tries again',
      );
      return this.finish({ outcome: 'skipped-redis-unavailable', processed: 0, written: 0 });
    }
    if (!acquired) {
      this.logger.log(
        'search resync skipped: a run already under way (here or elsewhere) holds the lock',
      );
      return this.finish({ outcome: 'skipped-locked', processed: 0, written: 0 });
    }
    const stop = new AbortController();
    const done = this.runLocked(token, stop);
    this.activeRun = { stop, done };
    try {
      return await done;
    } finally {
      if (this.activeRun?.done === done) this.activeRun = undefined;
    }
  }

  private async runLocked(token: string, stop: AbortController): Promise<ResyncReport> {
    const startedAt = performance.now();
    let lostLock: string | undefined;
    const loseLock = (reason: string) => {
      lostLock ??= reason;
      stop.abort();
    };
    const renewal = this.keepLockAlive(token, loseLock);
    let report: ResyncReport = { outcome: 'failed', processed: 0, written: 0 };
    let reported = { processed: 0, written: 0 };
    this.logger.log('search resync started');
    try {
      const result = await runBackfill({
        store: this.store,
        clock: this.clock,
        batchSize: this.options.batchSize,
        signal: stop.signal,
        onProgress: (progress) => {
          this.metrics.variantsProcessed.inc(progress.processed - reported.processed);
          this.metrics.documentsWritten.inc(progress.written - reported.written);
          reported = { processed: progress.processed, written: progress.written };
        },
      });
      report = {
        outcome: lostLock ? 'failed' : result.outcome === 'interrupted' ? 'interrupted' : 'ran',
        processed: result.processed,
        written: result.written,
      };
      if (lostLock) {
        this.logger.warn(
          `search resync stopped after ${result.processed} variants: ${lostLock}; the next run walks again`,
        );
      }
    } catch (error) {
      report = { outcome: 'failed', ...reported };
      this.logger.error(
        `search resync failed after ${reported.processed} variants: ${(error as Error).message}`,
      );
    } finally {
      clearInterval(renewal);
      await this.lock.release(token).catch((error: Error) => {
        // The lock expires on its own; this only delays the next run until then.
        this.logger.warn(`could not release the search resync lock: ${error.message}`);
      });
    }
    const seconds = (performance.now() - startedAt) / 1000;
    this.metrics.lastRunDuration.set(seconds);
    this.metrics.lastRunTimestamp.set(this.clock.now().getTime() / 1000);
    if (report.outcome === 'ran') {
      this.metrics.lastSuccessTimestamp.set(this.clock.now().getTime() / 1000);
      this.logger.log(
        `search resync done: ${report.processed} variants, ${report.written} documents rewritten, ${seconds.toFixed(1)} s`,
      );
    }
    return this.finish(report);
  }

  /**
   * Extends the lock every renewEveryMs. Stops the walk (at its next batch boundary) when the lock
   * turns out to be someone else's, or when Redis has been unreachable for so long that the lock
   * may expire before the next attempt — from then on another instance may take it.
   */
  private keepLockAlive(token: string, loseLock: (reason: string) => void): NodeJS.Timeout {
    const { lockTtlMs, renewEveryMs } = this.options;
    let extendedAt = performance.now();
    let renewing = false;
    const timer = setInterval(() => {
      if (renewing) return;
      renewing = true;
      this.lock
        .extend(token)
        .then((held) => {
          if (held) extendedAt = performance.now();
          else loseLock('its lock expired or was taken over by another instance');
        })
        .catch((error: Error) => {
          if (performance.now() + renewEveryMs >= extendedAt + lockTtlMs) {
            loseLock(`Redis could not renew its lock in time (${error.message})`);
          } else {
            this.logger.warn(`could not renew the search resync lock, retrying: ${error.message}`);
          }
        })
        .finally(() => {
          renewing = false;
        });
    }, renewEveryMs);
    timer.unref();
    return timer;
  }

  private finish(report: ResyncReport): ResyncReport {
    this.metrics.runs.inc({ outcome: report.outcome });
    return report;
  }
}
