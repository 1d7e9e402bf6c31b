import { Module } from '@nestjs/common';
import { ExpirySweeper } from './reservations/expiry-sweeper';
import { ReservationsModule } from './reservations/reservations.module';
import { SearchResyncModule } from './search/resync/search-resync.module';
import { SearchWorkersModule } from './search/search-workers.module';
import { WebhookWorkersModule } from './webhooks/webhook-workers.module';

/**
 * The background work (docs/architecture.md §1): the search-sync worker, the needsSync sweeper, the expiry
 * sweeper, the daily search resync, and the webhook publisher and delivery worker. Importing this module is what starts them, so whether a
 * process runs them is decided by its root module alone: the worker process always imports it,
 * the API only with WORKERS=inline (AppModule).
 */
@Module({
  imports: [ReservationsModule, SearchWorkersModule, SearchResyncModule, WebhookWorkersModule],
  providers: [ExpirySweeper],
  exports: [ExpirySweeper],
})
export class WorkersModule {}
