import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateBy,
  ValidationOptions,
} from 'class-validator';

import { MAX_PURCHASE_LIMIT } from './update-variant.dto';

const MAX_MINOR_UNITS = 1_000_000_000;
const MAX_STOCK = 1_000_000_000;
const MAX_ATTRIBUTES = 20;

/**
 * A flat map of short strings. Keys may not start with `$` or contain `.`, so an attribute name
 * can never be read by MongoDB as an operator or a path.
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
                /^[A-Za-z0-9_-]{1,40}$/.test(key) && typeof item === 'string' && item.length <= 200,
            )
          );
        },
        defaultMessage: () =>
          `attributes must be an object of at most ${MAX_ATTRIBUTES} string values (keys: letters, digits, _ or -, values ≤ 200 characters)`,
      },
    },
    options,
  );
}

export class CreateVariantDto {
  @ApiProperty({ example: 'IPH15-PRO-256-BLK' })
  @IsString()
  @Matches(/^[A-Za-z0-9._-]{1,64}$/, {
    message: 'sku must be 1–64 letters, digits, ".", "_" or "-"',
  })
  sku!: string;

  @ApiProperty({ example: 'iPhone 15 Pro 256 GB Black' })
  @IsString()
  @Length(1, 200)
  title!: string;

  @ApiProperty({ example: 119900, description: 'Integer minor units (cents)' })
  @IsInt({ message: 'price must be an integer number of minor units' })
  @Min(0)
  @Max(MAX_MINOR_UNITS)
  price!: number;

  @ApiProperty({ example: 100, description: 'Initial units in stock' })
  @IsInt({ message: 'stock must be an integer' })
  @Min(0)
  @Max(MAX_STOCK)
  stock!: number;

  @ApiPropertyOptional({ example: 'iphone-15-pro', description: 'Defaults to the SKU' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9._-]{1,64}$/, {
    message: 'productId must be 1–64 letters, digits, ".", "_" or "-"',
  })
  productId?: string;

  @ApiPropertyOptional({ example: { color: 'black', storage: '256GB' } })
  @IsOptional()
  @IsAttributeMap()
  attributes?: Record<string, string>;

  @ApiPropertyOptional({ example: 99900 })
  @IsOptional()
  @IsInt({ message: 'salePrice must be an integer number of minor units' })
  @Min(0)
  @Max(MAX_MINOR_UNITS)
  salePrice?: number;

  @ApiPropertyOptional({ example: '2030-11-28T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'saleStartsAt must be an ISO 8601 date-time' })
  saleStartsAt?: string;

  @ApiPropertyOptional({ example: '2030-11-29T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'saleEndsAt must be an ISO 8601 date-time' })
  saleEndsAt?: string;

  @ApiPropertyOptional({
    example: 2,
    minimum: 1,
    description: 'Units one shopper may hold and buy in total (active + committed holds)',
  })
  @IsOptional()
  @IsInt({ message: 'purchaseLimit must be an integer' })
  @Min(1, { message: 'purchaseLimit must be at least 1' })
  @Max(MAX_PURCHASE_LIMIT)
  purchaseLimit?: number;
}
