import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsString,
  IsUrl,
  Matches,
  MaxLength,
} from 'class-validator';
import { STOCK_EVENT_TYPES, type StockEventType } from '../../events/stock-event-rules';
import { Optional } from '../../common/validation';

export const MAX_WEBHOOK_URL_LENGTH = 2048;

export class CreateWebhookDto {
  @ApiProperty({
    example: 'https://shop.example.com/hooks/stock',
    description:
      'http or https only; refused when its host resolves to a loopback, link-local or private ' +
      'address (unless WEBHOOK_ALLOW_PRIVATE=true)',
    maxLength: MAX_WEBHOOK_URL_LENGTH,
  })
  @IsString()
  @MaxLength(MAX_WEBHOOK_URL_LENGTH)
  // require_tld off: a host without a dot (localhost, a container name) is judged by where it
  // resolves, by the target check, not refused by its spelling.
  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true, require_tld: false },
    { message: 'url must be an http or https URL' },
  )
  url!: string;

  @ApiProperty({ enum: STOCK_EVENT_TYPES, isArray: true, example: ['stock.low', 'stock.sold_out'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(STOCK_EVENT_TYPES.length)
  @ArrayUnique()
  @IsIn(STOCK_EVENT_TYPES, {
    each: true,
    message: `events must be among ${STOCK_EVENT_TYPES.join(', ')}`,
  })
  events!: StockEventType[];

  @ApiPropertyOptional({
    description:
      'The HMAC-SHA256 key of Stockhold-Signature, 16–128 printable ASCII characters. Generated ' +
      'when left out; shown only in this answer.',
    minLength: 16,
    maxLength: 128,
  })
  @Optional()
  @IsString()
  @Matches(/^[\x21-\x7e]{16,128}$/, {
    message: 'secret must be 16–128 printable ASCII characters without spaces',
  })
  secret?: string;
}
