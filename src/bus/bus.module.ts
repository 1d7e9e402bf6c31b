import { Module } from '@nestjs/common';
import { ReservationsModule } from '../reservations/reservations.module';
import { SoldOutGateFeed } from './sold-out-gate.feed';

/**
 * The API's side of the stock bus: its sold-out gate hears every instance. (Publishing lives in
 * CoreModule, so the worker process's expiries reach the API instances too.)
 */
@Module({ imports: [ReservationsModule], providers: [SoldOutGateFeed] })
export class BusModule {}
