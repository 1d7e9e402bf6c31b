import { Module } from '@nestjs/common';
import { AdmissionControl } from './admission-control';
import { ExpirySweeper } from './expiry-sweeper';
import { ReservationsController } from './reservations.controller';
import { ReservationsService } from './reservations.service';
import { SoldOutGate } from './sold-out-gate';

@Module({
  controllers: [ReservationsController],
  providers: [ReservationsService, SoldOutGate, AdmissionControl, ExpirySweeper],
  exports: [ReservationsService, SoldOutGate, ExpirySweeper],
})
export class ReservationsModule {}
