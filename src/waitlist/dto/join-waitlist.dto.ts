import { ApiProperty } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';
import { QUANTITY_CEILING } from '../../reservations/dto/reserve.dto';

/** The configured MAX_QUANTITY_PER_RESERVATION (default 10) is checked by the service, as for holds. */
export class JoinWaitlistDto {
  @ApiProperty({ type: 'integer', example: 1, minimum: 1, maximum: 10 })
  @IsInt({ message: 'quantity must be an integer' })
  @Min(1, { message: 'quantity must be at least 1' })
  @Max(QUANTITY_CEILING)
  quantity!: number;
}
