import { Module } from '@nestjs/common';
import { WaitlistController } from './waitlist.controller';
import { WaitlistStreams } from './waitlist-streams.service';
import { WaitlistService } from './waitlist.service';

/**
 * The waitlist's HTTP side (docs/waitlist.md): joining, reading and leaving a line, and the
 * shoppers' notice streams. The hand-over itself lives in the stores; WaitlistBus (CoreModule)
 * configures it and carries its notices between instances.
 */
@Module({
  controllers: [WaitlistController],
  providers: [WaitlistService, WaitlistStreams],
})
export class WaitlistModule {}
