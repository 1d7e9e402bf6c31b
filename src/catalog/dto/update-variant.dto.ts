import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, Max, Min, ValidateIf } from 'class-validator';

/** Highest purchaseLimit accepted: far above any real per-shopper limit, well inside integers. */
export const MAX_PURCHASE_LIMIT = 1_000_000;

/**
 * Highest lowStockThreshold accepted: the most stock a variant can have (MAX_STOCK; repeated here
 * because create-variant.dto.ts imports this file, and a cycle would leave one of them undefined).
 */
export const MAX_LOW_STOCK_THRESHOLD = 1_000_000_000;

/** PATCH /v1/admin/variants/:id — the fields an admin may change after creation (at least one). */
export class UpdateVariantDto {
  @ApiPropertyOptional({
    type: 'integer',
    example: 2,
    nullable: true,
    minimum: 1,
    description:
      'Units one shopper may hold and buy in total (active + committed holds); null removes the limit',
  })
  // null is a value here (remove the limit); absent leaves it; anything else a positive integer.
  @ValidateIf((_, value) => value !== null && value !== undefined)
  @IsInt({ message: 'purchaseLimit must be an integer or null' })
  @Min(1, { message: 'purchaseLimit must be at least 1' })
  @Max(MAX_PURCHASE_LIMIT)
  purchaseLimit?: number | null;

  @ApiPropertyOptional({
    type: 'integer',
    example: 5,
    nullable: true,
    minimum: 0,
    description: 'Available stock at or below which stock.low is sent; null removes it',
  })
  @ValidateIf((_, value) => value !== null && value !== undefined)
  @IsInt({ message: 'lowStockThreshold must be an integer or null' })
  @Min(0, { message: 'lowStockThreshold must be at least 0' })
  @Max(MAX_LOW_STOCK_THRESHOLD)
  lowStockThreshold?: number | null;
}
