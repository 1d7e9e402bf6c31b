import { Module } from '@nestjs/common';
import { CatalogModule } from '../catalog/catalog.module';
import { LiveAvailability } from './live-availability.service';
import { LiveController } from './live.controller';
import { LiveMetrics } from './live.metrics';

/** Live availability over Server-Sent Events (API only). */
@Module({
  imports: [CatalogModule],
  controllers: [LiveController],
  providers: [LiveAvailability, LiveMetrics],
  exports: [LiveAvailability],
})
export class LiveModule {}
