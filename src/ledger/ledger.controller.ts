import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../common/auth/auth.decorators';
import { ObjectIdPipe } from '../common/object-id.pipe';
import { DEFAULT_MOVEMENTS_PAGE, ListMovementsDto } from './dto/list-movements.dto';
import { LedgerService } from './ledger.service';
import { MovementPageResponse, presentMovement } from './movement.presenter';

@ApiTags('admin')
@ApiBearerAuth()
@Controller()
export class LedgerController {
  constructor(private readonly ledger: LedgerService) {}

  @Get('v1/admin/variants/:id/movements')
  @AdminOnly()
  @ApiOperation({
    summary: "A variant's stock ledger, oldest first (admin)",
    description:
      'One movement per change of the figures (created, reserved, committed, released, expired, ' +
      'adjusted), numbered by seq = the inventory version it produced, with no gap. Page with ' +
      '`after` = the previous page’s `nextAfter`.',
  })
  async list(
    @Param('id', ObjectIdPipe) id: string,
    @Query() query: ListMovementsDto,
  ): Promise<MovementPageResponse> {
    const page = await this.ledger.listMovements(
      id,
      query.after ?? 0,
      query.limit ?? DEFAULT_MOVEMENTS_PAGE,
    );
    return { items: page.items.map(presentMovement), nextAfter: page.nextAfter };
  }
}
