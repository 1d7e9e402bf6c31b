import { Module } from '@nestjs/common';
import { AdmissionControl } from './admission-control';
import { ReservationsController } from './reservations.controller';
import { ReservationsService } from './reservations.service';
import { SoldOutGate } from './sold-out-gate';

@Module({
  controllers: [ReservationsController],
  // The expiry sweeper is background work: WorkersModule provides it where workers run.
  providers: [ReservationsService, SoldOutGate, AdmissionControl],
  exports: [ReservationsService, SoldOutGate],
})
export class ReservationsModule {}
