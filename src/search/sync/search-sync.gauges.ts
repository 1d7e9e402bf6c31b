import { Injectable } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { Clock } from '../../common/clock';
import { MetricsService } from '../../metrics/metrics.service';
import { Store } from '../../store/store';
import { SearchSyncQueue, type SearchSyncCounts } from './search-sync.queue';

/**
 * Search-sync gauges (docs/architecture.md §10), read at scrape time from the shared state (the queue in Redis,
 * the needsSync flags in the store), so any process's /metrics shows the whole system's queue and
 * lag, wherever the workers run.
 */
@Injectable()
export class SearchSyncGauges {
  private countsInFlight?: Promise<SearchSyncCounts | null>;

  constructor(
    metrics: MetricsService,
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly queue: SearchSyncQueue,
  ) {
    const registers = [metrics.registry];
    // Metric objects live in the registry; these locals only give the collect callbacks a handle.
    const depth: Gauge = new Gauge({
      name: 'stockhold_search_sync_queue_depth',
      help: 'Search-sync jobs waiting, running or waiting for a retry (last known while Redis is unavailable)',
      registers,
      collect: async () => {
        const counts = await this.sharedCounts();
        if (counts) depth.set(counts.waiting + counts.active + counts.delayed);
      },
    });
    const failed: Gauge = new Gauge({
      name: 'stockhold_search_sync_failed_jobs',
      help: 'Search-sync jobs that ran out of attempts and sit in the failed set (the dead-letter queue)',
      registers,
      collect: async () => {
        const counts = await this.sharedCounts();
        if (counts) failed.set(counts.failed);
      },
    });
    const available: Gauge = new Gauge({
      name: 'stockhold_search_sync_queue_available',
      help: '1 while the search-sync queue (Redis) is reachable; 0 while the needsSync sweeper syncs directly',
      registers,
      collect: () => {
        available.set(this.queue.available ? 1 : 0);
      },
    });
    const lag: Gauge = new Gauge({
      name: 'stockhold_search_sync_lag_seconds',
      help: 'Age of the oldest stock change not yet in the search index (0 when everything is synced)',
      registers,
      collect: async () => {
        try {
          const [oldest] = await this.store.findPendingSyncs(1);
          const seconds = oldest
            ? (this.clock.now().getTime() - oldest.changedAt.getTime()) / 1000
            : 0;
          lag.set(Math.max(0, seconds));
        } catch {
          // Store unreachable: readiness reports that; the gauge keeps its last value.
        }
      },
    });
  }

  /** One Redis round trip per scrape, shared by the gauges that need the counts. */
  private sharedCounts(): Promise<SearchSyncCounts | null> {
    this.countsInFlight ??= this.queue.counts().finally(() => {
      this.countsInFlight = undefined;
    });
    return this.countsInFlight;
  }
}
