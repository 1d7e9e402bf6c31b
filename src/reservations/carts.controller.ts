import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Res } from '@nestjs/common';
import { Throttle } from '@nestjs/throttler';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser, RequestId } from '../common/auth/auth.decorators';
import type { Principal } from '../common/auth/principal';
import { ObjectIdPipe } from '../common/object-id.pipe';
import { CartResponse, presentCart } from './cart.presenter';
import { CartsService } from './carts.service';
import { ReserveCartDto } from './dto/reserve-cart.dto';
import { HoldExtensionService } from './hold-extension.service';

@ApiTags('reservations')
@ApiBearerAuth()
@Controller('v1/reservations')
export class CartsController {
  constructor(
    private readonly carts: CartsService,
    private readonly extensions: HoldExtensionService,
  ) {}

  @Post('batch')
  // A cart is one reservation attempt against the per-shopper `reserve` limit.
  @Throttle({ reserve: {} })
  @ApiOperation({
    summary: 'Hold a cart: several variants in one atomic step, with a fill policy',
    description:
      'Lines naming the same variant are summed first. Every held line is an ordinary hold ' +
      'carrying the groupId. all_or_nothing holds every line or none; best_effort holds the ' +
      'lines with stock and refuses the others with OUT_OF_STOCK. A duplicate, the hold cap or a ' +
      'purchase limit on any line refuses the whole cart.',
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Replays return the same cart',
  })
  async reserveCart(
    @CurrentUser() user: Principal,
    @Body() body: ReserveCartDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
    @RequestId() requestId: string,
  ): Promise<CartResponse> {
    const outcome = await this.carts.reserveCart({
      userId: user.userId,
      lines: body.lines.map((line) => ({ variantId: line.variantId, quantity: line.quantity })),
      policy: body.policy,
      idempotencyKey,
      requestId,
    });
    if (outcome.replayed) void reply.header('Idempotent-Replayed', 'true');
    return presentCart(outcome.view);
  }

  @Get('groups/:groupId')
  @ApiOperation({ summary: 'A cart hold with the current state of each line' })
  async get(
    @CurrentUser() user: Principal,
    @Param('groupId', ObjectIdPipe) groupId: string,
  ): Promise<CartResponse> {
    return presentCart(await this.carts.get(user.userId, groupId));
  }

  @Post('groups/:groupId/commit')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Check out a cart: every active line is committed, or none is',
    description:
      'Lines released on their own are skipped; one expired line refuses the whole commit.',
  })
  async commit(
    @CurrentUser() user: Principal,
    @Param('groupId', ObjectIdPipe) groupId: string,
    @RequestId() requestId: string,
  ): Promise<CartResponse> {
    return presentCart(await this.carts.commit(user.userId, groupId, requestId));
  }

  @Delete('groups/:groupId')
  @ApiOperation({
    summary: 'Release every active line of a cart; releasing twice answers the same',
  })
  async release(
    @CurrentUser() user: Principal,
    @Param('groupId', ObjectIdPipe) groupId: string,
    @RequestId() requestId: string,
  ): Promise<CartResponse> {
    return presentCart(await this.carts.release(user.userId, groupId, requestId));
  }

  @Post('groups/:groupId/extend')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Extend every active line of a cart, all or none',
    description:
      'expiresAt = min(now + RESERVATION_TTL_SECONDS, createdAt + MAX_HOLD_LIFETIME_SECONDS), at ' +
      'most MAX_HOLD_EXTENSIONS times per hold.',
  })
  async extend(
    @CurrentUser() user: Principal,
    @Param('groupId', ObjectIdPipe) groupId: string,
  ): Promise<CartResponse> {
    return presentCart(await this.extensions.extendGroup(user.userId, groupId));
  }
}
