import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, Max, Min } from 'class-validator';
import { Optional } from '../../common/validation';
import { DELIVERY_STATUSES, MAX_DELIVERIES_PAGE, type DeliveryStatus } from '../../store/webhooks';

export const DEFAULT_DELIVERIES_PAGE = 100;

const digitsToNumber = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;

export class ListDeliveriesDto {
  @ApiPropertyOptional({
    enum: DELIVERY_STATUSES,
    description:
      'failed: dead letters; redriving: replays queued; delivered: replays that succeeded',
  })
  @Optional()
  @IsIn(DELIVERY_STATUSES, { message: `status must be one of ${DELIVERY_STATUSES.join(', ')}` })
  status?: DeliveryStatus;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: MAX_DELIVERIES_PAGE,
    default: DEFAULT_DELIVERIES_PAGE,
  })
  @Optional()
  @Transform(digitsToNumber)
  @IsInt({ message: 'limit must be an integer' })
  @Min(1)
  @Max(MAX_DELIVERIES_PAGE)
  limit?: number;
}
