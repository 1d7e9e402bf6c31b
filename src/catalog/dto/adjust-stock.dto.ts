import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, Max, Min, NotEquals } from 'class-validator';
import { Optional } from '../../common/validation';

export class AdjustStockDto {
  @ApiProperty({
    type: 'integer',
    example: 50,
    description: 'Units added to total and available stock (negative removes)',
  })
  @IsInt({ message: 'delta must be an integer' })
  @NotEquals(0, { message: 'delta must not be 0' })
  @Min(-1_000_000_000)
  @Max(1_000_000_000)
  delta!: number;

  @ApiPropertyOptional({
    type: 'integer',
    example: 3,
    description:
      'Fail with 409 VERSION_CONFLICT unless the inventory is at this version; makes the adjustment safe to retry',
  })
  @Optional()
  @IsInt({ message: 'expectedVersion must be an integer' })
  @Min(0)
  expectedVersion?: number;
}
