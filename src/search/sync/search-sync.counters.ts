import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { MetricsService } from '../../metrics/metrics.service';

export type SyncPath = 'queue' | 'direct';

/** This process's search-sync counters (docs/architecture.md §10). */
@Injectable()
export class SearchSyncCounters {
  readonly syncs: Counter<'path'>;
  readonly skippedTriggers: Counter;

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
    this.syncs = new Counter({
      name: 'stockhold_search_syncs_total',
      help: 'Search documents synced by this process, by path: queue (the BullMQ worker) or direct (the needsSync sweeper while Redis is unavailable)',
      labelNames: ['path'] as const,
      registers,
    });
    this.skippedTriggers = new Counter({
      name: 'stockhold_search_sync_triggers_skipped_total',
      help: 'Sync triggers this process could not queue (Redis unavailable or slow); the needsSync sweeper covers them',
      registers,
    });
  }
}
