import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Throttle } from '@nestjs/throttler';
import type { FastifyReply } from 'fastify';
import { CurrentUser, RequestId } from '../common/auth/auth.decorators';
import type { Principal } from '../common/auth/principal';
import { ObjectIdPipe } from '../common/object-id.pipe';
import { ListReservationsDto } from './dto/list-reservations.dto';
import { ReserveDto } from './dto/reserve.dto';
import { presentReservation, ReservationResponse } from './reservation.presenter';
import { HoldExtensionService } from './hold-extension.service';
import { ReservationsService } from './reservations.service';
import { SOLD_OUT_FAST_PATH } from './sold-out-fast-path.route';

@ApiTags('reservations')
@ApiBearerAuth()
@Controller('v1/reservations')
export class ReservationsController {
  constructor(
    private readonly reservations: ReservationsService,
    private readonly extensions: HoldExtensionService,
  ) {}

  @Post()
  // Counted against the per-shopper `reserve` limit too, as configured (RESERVE_RATE_LIMIT).
  @Throttle({ reserve: {} })
  // A stampede on a sold-out variant is answered before Nest's pipeline (sold-out-fast-path.ts).
  @RouteConfig({ [SOLD_OUT_FAST_PATH]: true })
  @ApiOperation({ summary: 'Hold stock of a variant for the calling shopper' })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      'Replays return the same hold while it exists; a released or expired hold is deleted ' +
      'RETENTION_DAYS after it ended, and the key then places a new hold',
  })
  async reserve(
    @CurrentUser() user: Principal,
    @Body() body: ReserveDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
    @RequestId() requestId: string,
  ): Promise<ReservationResponse> {
    const outcome = await this.reservations.reserve({
      userId: user.userId,
      variantId: body.variantId.toLowerCase(),
      quantity: body.quantity,
      idempotencyKey,
      requestId,
    });
    if (outcome.replayed) void reply.header('Idempotent-Replayed', 'true');
    return presentReservation(outcome.reservation);
  }

  @Get()
  @ApiOperation({ summary: "The calling shopper's reservations, newest first" })
  async list(
    @CurrentUser() user: Principal,
    @Query() query: ListReservationsDto,
  ): Promise<{ items: ReservationResponse[] }> {
    const reservations = await this.reservations.list(user.userId, query.status, query.limit);
    return { items: reservations.map(presentReservation) };
  }

  @Get(':id')
  @ApiOperation({ summary: "One of the calling shopper's reservations" })
  async get(
    @CurrentUser() user: Principal,
    @Param('id', ObjectIdPipe) id: string,
  ): Promise<ReservationResponse> {
    return presentReservation(await this.reservations.get(user.userId, id));
  }

  @Post(':id/commit')
  @HttpCode(200)
  @ApiOperation({ summary: 'Check out: the held units are sold' })
  async commit(
    @CurrentUser() user: Principal,
    @Param('id', ObjectIdPipe) id: string,
    @RequestId() requestId: string,
  ): Promise<ReservationResponse> {
    return presentReservation(await this.reservations.commit(user.userId, id, requestId));
  }

  @Post(':id/extend')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Extend a hold, up to a hard lifetime cap',
    description:
      'expiresAt = min(now + RESERVATION_TTL_SECONDS, createdAt + MAX_HOLD_LIFETIME_SECONDS), at ' +
      'most MAX_HOLD_EXTENSIONS times; `extensions` counts them.',
  })
  async extend(
    @CurrentUser() user: Principal,
    @Param('id', ObjectIdPipe) id: string,
  ): Promise<ReservationResponse> {
    return presentReservation(await this.extensions.extendReservation(user.userId, id));
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Release the hold; releasing twice answers the same' })
  async release(
    @CurrentUser() user: Principal,
    @Param('id', ObjectIdPipe) id: string,
    @RequestId() requestId: string,
  ): Promise<ReservationResponse> {
    return presentReservation(await this.reservations.release(user.userId, id, requestId));
  }
}
