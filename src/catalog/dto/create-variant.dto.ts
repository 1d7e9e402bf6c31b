import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsInt,
  IsISO8601,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateBy,
  ValidationOptions,
} from 'class-validator';
import { IsPrintableText, isPrintableText, Optional } from '../../common/validation';

import { MAX_LOW_STOCK_THRESHOLD, MAX_PURCHASE_LIMIT } from './update-variant.dto';

const MAX_MINOR_UNITS = 1_000_000_000;
/** The most units a variant may have in total, at creation and after any adjustment. */
export const MAX_STOCK = 1_000_000_000;
const MAX_ATTRIBUTES = 20;

/**
 * A flat map of short printable strings. Keys may not start with `$` or contain `.`, so an
 * attribute name can never be read by MongoDB as an operator or a path. Keys named like a
 * built-in (`constructor`, `toString`, …) are refused before this runs (see `reservedKeys`).
 */
function IsAttributeMap(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isAttributeMap',
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
          const entries = Object.entries(value);
          return (
            entries.length <= MAX_ATTRIBUTES &&
            entries.every(
              ([key, item]) =>
                /^[A-Za-z0-9_-]{1,40}$/.test(key) &&
                typeof item === 'string' &&
                item.length <= 200 &&
                isPrintableText(item),
            )
          );
        },
        defaultMessage: () =>
          `attributes must be an object of at most ${MAX_ATTRIBUTES} string values (keys: letters, digits, _ or -; values: ≤ 200 printable characters)`,
      },
    },
    options,
  );
}

export class CreateVariantDto {
  @ApiProperty({
    example: 'IPH15-PRO-256-BLK',
    description: 'Unique whatever its case (ABC-1 and abc-1 are one SKU); stored as sent',
  })
  @IsString()
  @Matches(/^[A-Za-z0-9._-]{1,64}$/, {
    message: 'sku must be 1–64 letters, digits, ".", "_" or "-"',
  })
  sku!: string;

  @ApiProperty({
    example: 'iPhone 15 Pro 256 GB Black',
    description: '1–200 characters; no control characters or unpaired surrogates',
  })
  @IsString()
  @Length(1, 200)
  @IsPrintableText()
  title!: string;

  @ApiProperty({ type: 'integer', example: 119900, description: 'Integer minor units (cents)' })
  @IsInt({ message: 'price must be an integer number of minor units' })
  @Min(0)
  @Max(MAX_MINOR_UNITS)
  price!: number;

  @ApiProperty({
    type: 'integer',
    example: 100,
    description: 'Initial units in stock (total stock is at most 1e9)',
  })
  @IsInt({ message: 'stock must be an integer' })
  @Min(0)
  @Max(MAX_STOCK)
  stock!: number;

  @ApiPropertyOptional({ example: 'iphone-15-pro', description: 'Defaults to the SKU' })
  @Optional()
  @IsString()
  @Matches(/^[A-Za-z0-9._-]{1,64}$/, {
    message: 'productId must be 1–64 letters, digits, ".", "_" or "-"',
  })
  productId?: string;

  @ApiPropertyOptional({
    example: { color: 'black', storage: '256GB' },
    description:
      'Up to 20 string values; keys are letters, digits, _ or - and never a built-in name (constructor, toString, …)',
  })
  @Optional()
  @IsAttributeMap()
  attributes?: Record<string, string>;

  @ApiPropertyOptional({ type: 'integer', example: 99900 })
  @Optional()
  @IsInt({ message: 'salePrice must be an integer number of minor units' })
  @Min(0)
  @Max(MAX_MINOR_UNITS)
  salePrice?: number;

  @ApiPropertyOptional({ format: 'date-time', example: '2030-11-28T00:00:00Z' })
  @Optional()
  @IsISO8601({ strict: true }, { message: 'saleStartsAt must be an ISO 8601 date-time' })
  saleStartsAt?: string;

  @ApiPropertyOptional({ format: 'date-time', example: '2030-11-29T00:00:00Z' })
  @Optional()
  @IsISO8601({ strict: true }, { message: 'saleEndsAt must be an ISO 8601 date-time' })
  saleEndsAt?: string;

  @ApiPropertyOptional({
    type: 'integer',
    example: 2,
    minimum: 1,
    description: 'Units one shopper may hold and buy in total (active + committed holds)',
  })
  @Optional()
  @IsInt({ message: 'purchaseLimit must be an integer' })
  @Min(1, { message: 'purchaseLimit must be at least 1' })
  @Max(MAX_PURCHASE_LIMIT)
  purchaseLimit?: number;

  @ApiPropertyOptional({
    example: 5,
    minimum: 0,
    description: 'Available stock at or below which a stock.low event is sent (webhooks)',
  })
  @Optional()
  @IsInt({ message: 'lowStockThreshold must be an integer' })
  @Min(0, { message: 'lowStockThreshold must be at least 0' })
  @Max(MAX_LOW_STOCK_THRESHOLD)
  lowStockThreshold?: number;
}
