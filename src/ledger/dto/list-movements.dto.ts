import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { Optional } from '../../common/validation';

/** Query values arrive as strings; only a digit string is converted, anything else fails validation. */
const digitsToNumber = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;

export const MAX_MOVEMENTS_PAGE = 500;
export const DEFAULT_MOVEMENTS_PAGE = 100;

export class ListMovementsDto {
  @ApiPropertyOptional({
    minimum: 0,
    default: 0,
    description: 'Only movements with a greater seq: the last seq of the previous page.',
  })
  @Optional()
  @Transform(digitsToNumber)
  @IsInt({ message: 'after must be an integer' })
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  after?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_MOVEMENTS_PAGE, default: DEFAULT_MOVEMENTS_PAGE })
  @Optional()
  @Transform(digitsToNumber)
  @IsInt({ message: 'limit must be an integer' })
  @Min(1)
  @Max(MAX_MOVEMENTS_PAGE)
  limit?: number;
}
