import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MOVEMENT_TYPES, type MovementType, type StockMovement } from '../store/ledger';

export class StockFiguresResponse {
  @ApiProperty() total!: number;
  @ApiProperty() reserved!: number;
  @ApiProperty() available!: number;
}

export class MovementResponse {
  @ApiProperty() variantId!: string;
  @ApiProperty({
    description: 'The inventory version this change produced (1, 2, 3, … per variant)',
  })
  seq!: number;
  @ApiProperty({ enum: MOVEMENT_TYPES }) type!: MovementType;
  @ApiProperty({ type: StockFiguresResponse }) delta!: StockFiguresResponse;
  @ApiProperty({ type: StockFiguresResponse }) after!: StockFiguresResponse;
  @ApiPropertyOptional() reservationId?: string;
  @ApiPropertyOptional() groupId?: string;
  @ApiPropertyOptional() userId?: string;
  @ApiProperty({ description: 'The shopper, the admin, or "sweeper"' }) actor!: string;
  @ApiPropertyOptional() requestId?: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
}

export class MovementPageResponse {
  @ApiProperty({ type: [MovementResponse] }) items!: MovementResponse[];
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Pass as `after` for the next page; null on the last page',
  })
  nextAfter!: number | null;
}

export function presentMovement(movement: StockMovement): MovementResponse {
  return { ...movement, at: movement.at.toISOString() };
}
