import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AdminModule } from './admin/admin.module';
import { CatalogModule } from './catalog/catalog.module';
import { loggerOptions } from './common/logging';
import { CoreModule, CoreOptions } from './core.module';
import { HealthModule } from './health/health.module';
import { ReservationsModule } from './reservations/reservations.module';

@Module({})
export class AppModule {
  static forRoot(options: CoreOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        LoggerModule.forRoot(loggerOptions(options.config)),
        CoreModule.forRoot(options),
        HealthModule,
        CatalogModule,
        ReservationsModule,
        AdminModule,
      ],
    };
  }
}
