import { Body, Controller, Delete, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Throttle } from '@nestjs/throttler';
import type { FastifyReply } from 'fastify';
import { CurrentUser } from '../common/auth/auth.decorators';
import type { Principal } from '../common/auth/principal';
import { ObjectIdPipe } from '../common/object-id.pipe';
import { JoinWaitlistDto } from './dto/join-waitlist.dto';
import { presentWaitlistEntry, WaitlistEntryResponse } from './waitlist-entry.presenter';
import { WaitlistStreams } from './waitlist-streams.service';
import { WaitlistService } from './waitlist.service';

@ApiTags('waitlist')
@ApiBearerAuth()
@Controller()
export class WaitlistController {
  constructor(
    private readonly waitlist: WaitlistService,
    private readonly streams: WaitlistStreams,
  ) {}

  @Post('v1/variants/:id/waitlist')
  // A write like a hold: counted against the per-shopper `reserve` limit (RESERVE_RATE_LIMIT).
  @Throttle({ reserve: {} })
  @ApiOperation({
    summary: 'Wait in line for units of a sold-out variant',
    description:
      'Only when the variant cannot serve the quantity now. Freed units go to the line in order, ' +
      'as offers: holds with `source: "waitlist"` that expire after WAITLIST_OFFER_TTL_SECONDS. ' +
      'Entries made before saleStartsAt are drawn by lottery at the opening. An entry expires ' +
      'after WAITLIST_TTL_SECONDS.',
  })
  async join(
    @CurrentUser() user: Principal,
    @Param('id', ObjectIdPipe) id: string,
    @Body() body: JoinWaitlistDto,
  ): Promise<WaitlistEntryResponse> {
    return presentWaitlistEntry(await this.waitlist.join(user.userId, id, body.quantity));
  }

  @Get('v1/variants/:id/waitlist')
  @ApiOperation({ summary: "The caller's waitlist entry for a variant, with its position" })
  async get(
    @CurrentUser() user: Principal,
    @Param('id', ObjectIdPipe) id: string,
  ): Promise<WaitlistEntryResponse> {
    return presentWaitlistEntry(await this.waitlist.get(user.userId, id));
  }

  @Delete('v1/variants/:id/waitlist')
  @HttpCode(204)
  @ApiOperation({ summary: "Leave a variant's waitlist (deletes the entry, whatever its status)" })
  async leave(
    @CurrentUser() user: Principal,
    @Param('id', ObjectIdPipe) id: string,
  ): Promise<void> {
    await this.waitlist.leave(user.userId, id);
  }

  @Get('v1/waitlist/stream')
  @ApiOperation({
    summary: "The caller's waitlist notices, live (Server-Sent Events)",
    description:
      '`event: offer` with `data: {entryId, variantId, reservationId, quantity, expiresAt}`, ' +
      '`event: skipped` with `{entryId, variantId, reason}`, `event: expired` with ' +
      '`{entryId, variantId}` — for the caller’s own entries only, made on any instance. A ' +
      '`: heartbeat` comment every LIVE_HEARTBEAT_MS keeps it open. No replay: a notice missed ' +
      'while disconnected shows in the entry (GET) and the reservations list.',
  })
  @ApiResponse({
    status: 200,
    description: 'An event stream, open until the client leaves',
    content: {
      'text/event-stream': {
        schema: { type: 'string' },
        example:
          'event: offer\ndata: {"entryId":"…","variantId":"…","reservationId":"…","quantity":1,' +
          '"expiresAt":"…"}\n\n',
      },
    },
  })
  stream(@CurrentUser() user: Principal, @Res() reply: FastifyReply): void {
    this.streams.attach(user.userId, reply);
  }
}
