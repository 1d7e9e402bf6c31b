import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsMongoId,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { CART_POLICIES, type CartPolicy } from '../../store/cart.types';
import { QUANTITY_CEILING } from './reserve.dto';

/**
 * Absolute ceiling on the lines of one request, whatever the configuration; the configured
 * MAX_ACTIVE_RESERVATIONS is checked by the service once lines of one variant are summed.
 */
export const CART_LINES_CEILING = 100;

export class CartLineDto {
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

export class ReserveCartDto {
  @ApiProperty({
    type: [CartLineDto],
    description:
      'Lines naming the same variant are summed first; at most MAX_ACTIVE_RESERVATIONS variants, ' +
      'each summed quantity at most MAX_QUANTITY_PER_RESERVATION',
  })
  @IsArray({ message: 'lines must be an array' })
  @ArrayMinSize(1, { message: 'lines must hold at least one line' })
  @ArrayMaxSize(CART_LINES_CEILING)
  @ValidateNested({ each: true })
  @Type(() => CartLineDto)
  lines!: CartLineDto[];

  @ApiProperty({
    enum: CART_POLICIES,
    description:
      'all_or_nothing: every line is held or none is. best_effort: the lines with stock are held, ' +
      'the others refused with OUT_OF_STOCK',
  })
  @IsIn(CART_POLICIES, { message: `policy must be one of ${CART_POLICIES.join(', ')}` })
  policy!: CartPolicy;
}
