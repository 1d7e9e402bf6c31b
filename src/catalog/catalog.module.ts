import { Module } from '@nestjs/common';
import { ReservationsModule } from '../reservations/reservations.module';
import { CatalogService } from './catalog.service';
import { VariantsController } from './variants.controller';

@Module({
  imports: [ReservationsModule],
  controllers: [VariantsController],
  providers: [CatalogService],
  exports: [CatalogService],
})
export class CatalogModule {}
