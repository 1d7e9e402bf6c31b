import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsMongoId, Max, Min } from 'class-validator';

/** Absolute ceiling; the configured MAX_QUANTITY_PER_RESERVATION (default 10) is checked by the service. */
export const QUANTITY_CEILING = 10_000;

export class ReserveDto {
  @ApiProperty({
    pattern: '^[0-9a-fA-F]{24}$',
    example: '66f0c0ffee0000000000abcd',
    description: '24-hex variant id',
  })
  @IsMongoId({ message: 'variantId must be a 24-character hex ObjectId' })
  variantId!: string;

  @ApiProperty({ type: 'integer', example: 1, minimum: 1, maximum: 10 })
  @IsInt({ message: 'quantity must be an integer' })
  @Min(1, { message: 'quantity must be at least 1' })
  @Max(QUANTITY_CEILING)
  quantity!: number;
}
