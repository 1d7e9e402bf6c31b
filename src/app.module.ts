import { DynamicModule, Module } from '@nestjs/common';
import { AdminModule } from './admin/admin.module';
import { BusModule } from './bus/bus.module';
import { CatalogModule } from './catalog/catalog.module';
import { CoreModule, CoreOptions } from './core.module';
import { HealthModule } from './health/health.module';
import { LedgerModule } from './ledger/ledger.module';
import { LiveModule } from './live/live.module';
import { ReservationsModule } from './reservations/reservations.module';
import { SearchModule } from './search/search.module';
import { WaitlistModule } from './waitlist/waitlist.module';
import { WebhooksModule } from './webhooks/webhooks.module';
import { WorkersModule } from './workers.module';

@Module({})
export class AppModule {
  static forRoot(options: CoreOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(options),
        HealthModule,
        CatalogModule,
        ReservationsModule,
        SearchModule,
        AdminModule,
        LedgerModule,
        BusModule,
        LiveModule,
        WaitlistModule,
        WebhooksModule,
        // WORKERS=inline (the development default) runs the background work in this process;
        // with `off` it is left to the worker process (src/worker.ts).
        ...(options.config.workers === 'inline' ? [WorkersModule] : []),
      ],
    };
  }
}
