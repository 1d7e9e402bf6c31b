import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../common/auth/auth.decorators';
import type { ReconcileReport } from '../store/store.types';
import { ReconcileService } from './reconcile.service';

@ApiTags('admin')
@ApiBearerAuth()
@Controller('v1/admin/reconcile')
export class ReconcileController {
  constructor(private readonly reconciler: ReconcileService) {}

  @Get()
  @AdminOnly()
  @ApiOperation({ summary: 'Check invariants I1–I3 over every variant and shopper' })
  reconcile(): Promise<ReconcileReport> {
    return this.reconciler.reconcile();
  }
}
