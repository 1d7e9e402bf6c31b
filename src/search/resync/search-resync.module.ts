import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { SearchResyncMetrics } from './search-resync.metrics';
import {
  DEFAULT_SEARCH_RESYNC_OPTIONS,
  SEARCH_RESYNC_OPTIONS,
  SearchResyncService,
} from './search-resync.service';

/**
 * The daily search resync. Importing the module schedules it (SEARCH_RESYNC_CRON): import it where
 * workers run (the worker process, or the API with WORKERS=inline), nowhere else. It needs the
 * global core providers (AppConfig, Store, Clock, RedisConnections, MetricsService).
 *
 * ScheduleModule.forRoot() provides the SchedulerRegistry the cron job is registered in and stops
 * registered jobs on shutdown; Nest keeps one instance however many modules import it.
 */
@Module({
  imports: [ScheduleModule.forRoot()],
  providers: [
    SearchResyncService,
    SearchResyncMetrics,
    { provide: SEARCH_RESYNC_OPTIONS, useValue: DEFAULT_SEARCH_RESYNC_OPTIONS },
  ],
  exports: [SearchResyncService],
})
export class SearchResyncModule {}
