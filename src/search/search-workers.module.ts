import { Module } from '@nestjs/common';
import { SearchModule } from './search.module';
import { NeedsSyncSweeper } from './sync/needs-sync.sweeper';
import { SearchSyncWorker } from './sync/search-sync.worker';

/** The search sync's background work: the queue worker and the needsSync sweeper. */
@Module({
  imports: [SearchModule],
  providers: [SearchSyncWorker, NeedsSyncSweeper],
  exports: [SearchSyncWorker, NeedsSyncSweeper],
})
export class SearchWorkersModule {}
