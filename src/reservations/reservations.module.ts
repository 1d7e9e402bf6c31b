import { Module } from '@nestjs/common';
import { AdmissionControl } from './admission-control';
import { CartsController } from './carts.controller';
import { CartsService } from './carts.service';
import { HoldExtensionService } from './hold-extension.service';
import { ReservationsController } from './reservations.controller';
import { ReservationsService } from './reservations.service';
import { SoldOutGate } from './sold-out-gate';

@Module({
  // CartsController first: its `batch` and `groups/…` routes are more specific than `:id`.
  controllers: [CartsController, ReservationsController],
  // The expiry sweeper is background work: WorkersModule provides it where workers run.
  providers: [
    ReservationsService,
    CartsService,
    HoldExtensionService,
    SoldOutGate,
    AdmissionControl,
  ],
  exports: [ReservationsService, SoldOutGate],
})
export class ReservationsModule {}
