import { Module } from '@nestjs/common';
import { HealthModule } from '../health/health.module';
import { SearchController } from './search.controller';
import { SearchService } from './search.service';
import { SearchSyncCounters } from './sync/search-sync.counters';
import { SearchSyncGauges } from './sync/search-sync.gauges';
import { SearchSyncHealth } from './sync/search-sync.health';
import { SearchSyncQueue } from './sync/search-sync.queue';
import { SearchSyncService } from './sync/search-sync.service';

/**
 * Search (docs/architecture.md §5): the search API, and the sync trigger — every stock change queues a sync of
 * its variant. In every process; the workers that consume the queue are in SearchWorkersModule.
 */
@Module({
  imports: [HealthModule],
  controllers: [SearchController],
  providers: [
    SearchService,
    SearchSyncQueue,
    SearchSyncService,
    SearchSyncCounters,
    SearchSyncGauges,
    SearchSyncHealth,
  ],
  exports: [SearchSyncQueue, SearchSyncService],
})
export class SearchModule {}
