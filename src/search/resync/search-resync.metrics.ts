import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { MetricsService } from '../../metrics/metrics.service';

export const RESYNC_OUTCOMES = [
  /** This instance held the lock and walked every variant. */
  'ran',
  /** Another instance holds the lock (or this one is already running it). */
  'skipped-locked',
  /** Redis could not be asked for the lock; never run unlocked. */
  'skipped-redis-unavailable',
  /** Took the lock, then an error or the loss of the lock stopped the walk. */
  'failed',
  /** Took the lock, then the process shut down; the next run walks again. */
  'interrupted',
] as const;
export type ResyncOutcome = (typeof RESYNC_OUTCOMES)[number];

/** The daily resync's figures (docs/architecture.md §10), on the application's one registry. */
@Injectable()
export class SearchResyncMetrics {
  readonly runs: Counter<'outcome'>;
  readonly documentsWritten: Counter;
  readonly variantsProcessed: Counter;
  readonly lastRunTimestamp: Gauge;
  readonly lastRunDuration: Gauge;
  readonly lastSuccessTimestamp: Gauge;

  constructor(@Inject(MetricsService) metrics: Pick<MetricsService, 'registry'>) {
    const registers = [metrics.registry];
    this.runs = new Counter({
      name: 'stockhold_search_resync_runs_total',
      help: 'Daily search resync attempts, by outcome',
      labelNames: ['outcome'],
      registers,
    });
    // Every outcome is exported from the start, so a rate() over a never-seen one is 0, not absent.
    for (const outcome of RESYNC_OUTCOMES) this.runs.inc({ outcome }, 0);
    this.documentsWritten = new Counter({
      name: 'stockhold_search_backfill_documents_written_total',
      help: 'Search documents the backfill engine replaced (missing or older), in this process',
      registers,
    });
    this.variantsProcessed = new Counter({
      name: 'stockhold_search_backfill_variants_processed_total',
      help: 'Variants the backfill engine walked, in this process',
      registers,
    });
    this.lastRunTimestamp = new Gauge({
      name: 'stockhold_search_resync_last_run_timestamp_seconds',
      help: 'When the last resync this instance ran (held the lock for) ended, Unix time',
      registers,
    });
    this.lastRunDuration = new Gauge({
      name: 'stockhold_search_resync_last_run_duration_seconds',
      help: 'How long the last resync this instance ran took',
      registers,
    });
    this.lastSuccessTimestamp = new Gauge({
      name: 'stockhold_search_resync_last_success_timestamp_seconds',
      help: 'When the last resync this instance completed ended, Unix time (alert when too old)',
      registers,
    });
  }
}
