import { ApiProperty } from '@nestjs/swagger';
import { IsInt, Max, Min, ValidateIf } from 'class-validator';

/** Highest purchaseLimit accepted: far above any real per-shopper limit, well inside integers. */
export const MAX_PURCHASE_LIMIT = 1_000_000;

/** PATCH /v1/admin/variants/:id — the fields an admin may change after creation. */
export class UpdateVariantDto {
  @ApiProperty({
    type: 'integer',
    example: 2,
    nullable: true,
    minimum: 1,
    description:
      'Units one shopper may hold and buy in total (active + committed holds); null removes the limit',
  })
  // null is a value here (remove the limit); anything else must be a positive integer.
  @ValidateIf((_, value) => value !== null)
  @IsInt({ message: 'purchaseLimit must be an integer or null' })
  @Min(1, { message: 'purchaseLimit must be at least 1' })
  @Max(MAX_PURCHASE_LIMIT)
  purchaseLimit!: number | null;
}
