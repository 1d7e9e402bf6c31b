import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, Max, Min } from 'class-validator';
import { RESERVATION_STATUSES, type ReservationStatus } from '../../store/store.types';
import { Optional } from '../../common/validation';

export class ListReservationsDto {
  @ApiPropertyOptional({ enum: RESERVATION_STATUSES })
  @Optional()
  @IsIn(RESERVATION_STATUSES, {
    message: `status must be one of ${RESERVATION_STATUSES.join(', ')}`,
  })
  status?: ReservationStatus;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: 50 })
  @Optional()
  // Query values arrive as strings; only this field is converted, and only from a digit string.
  @Transform(({ value }) =>
    typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value,
  )
  @IsInt({ message: 'limit must be an integer' })
  @Min(1)
  @Max(100)
  limit?: number;
}
