import { Controller, Get, Headers, Param, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ObjectIdPipe } from '../common/object-id.pipe';
import { LiveAvailability } from './live-availability.service';

@ApiTags('catalog')
@ApiBearerAuth()
@Controller()
export class LiveController {
  constructor(private readonly live: LiveAvailability) {}

  @Get('v1/inventory/:variantId/stream')
  @ApiOperation({
    summary: "A variant's available stock, live (Server-Sent Events)",
    description:
      'Sends `event: availability` with `data: {variantId, availableStock, version}` and ' +
      '`id: <version>`: the current figures at once, then after every stock change, at most one ' +
      'message per LIVE_COALESCE_MS (the latest figures win). A `: heartbeat` comment line every ' +
      'LIVE_HEARTBEAT_MS keeps the connection open. Reconnecting with `Last-Event-ID` skips the ' +
      'first message when that version is still the current one. Counted once by the rate limits, ' +
      'when it opens.',
  })
  @ApiHeader({
    name: 'Last-Event-ID',
    required: false,
    description: 'The version of the last message received (browsers send it on reconnect)',
  })
  @ApiResponse({
    status: 200,
    description: 'An event stream, open until the client leaves',
    content: {
      'text/event-stream': {
        schema: { type: 'string' },
        example:
          'id: 7\nevent: availability\ndata: {"variantId":"…","availableStock":3,"version":7}\n\n',
      },
    },
  })
  @ApiResponse({ status: 404, description: 'VARIANT_NOT_FOUND' })
  @ApiResponse({ status: 503, description: 'SERVICE_UNAVAILABLE: LIVE_MAX_STREAMS reached' })
  stream(
    @Param('variantId', ObjectIdPipe) variantId: string,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    return this.live.open(variantId, lastEventId, reply);
  }
}
