import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { Optional } from '../../common/validation';

export const SEARCH_DEFAULT_LIMIT = 20;

export class SearchDto {
  @ApiPropertyOptional({
    maxLength: 200,
    description: 'Words that must all occur in the title or the SKU (any case)',
  })
  @Optional()
  @IsString({ message: 'q must be a string' })
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ enum: ['true', 'false'] })
  @Optional()
  // Only the two literal words become booleans; anything else fails the check below.
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'inStock must be true or false' })
  inStock?: boolean;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: SEARCH_DEFAULT_LIMIT })
  @Optional()
  @Transform(({ value }) =>
    typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value,
  )
  @IsInt({ message: 'limit must be an integer' })
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @Optional()
  @IsString({ message: 'cursor must be a string' })
  @Matches(/^[0-9a-fA-F]{24}$/, { message: 'cursor must be the nextCursor of a previous page' })
  cursor?: string;
}
