import { Body, Controller, Get, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly, CurrentUser, RequestId } from '../common/auth/auth.decorators';
import type { Principal } from '../common/auth/principal';
import { ObjectIdPipe } from '../common/object-id.pipe';
import { CatalogService } from './catalog.service';
import { AdjustStockDto } from './dto/adjust-stock.dto';
import { CreateVariantDto } from './dto/create-variant.dto';
import { UpdateVariantDto } from './dto/update-variant.dto';
import {
  InventoryResponse,
  presentInventory,
  presentVariant,
  VariantResponse,
} from './variant.presenter';

@ApiTags('catalog')
@ApiBearerAuth()
@Controller()
export class VariantsController {
  constructor(private readonly catalog: CatalogService) {}

  @Post('v1/admin/variants')
  @AdminOnly()
  @ApiOperation({ summary: 'Create a variant with its initial stock (admin)' })
  async create(
    @Body() body: CreateVariantDto,
    @CurrentUser() admin: Principal,
    @RequestId() requestId: string,
  ): Promise<VariantResponse> {
    const { variant, inventory } = await this.catalog.createVariant(body, {
      actor: admin.userId,
      requestId,
    });
    return presentVariant(variant, inventory, this.catalog.now());
  }

  @Patch('v1/admin/variants/:id')
  @AdminOnly()
  @ApiOperation({
    summary: "Change a variant's purchase limit (admin)",
    description:
      'purchaseLimit counts a shopper’s active + committed units of the variant; null removes it. ' +
      'Holds already made stand; new holds are judged against the new limit.',
  })
  async update(
    @Param('id', ObjectIdPipe) id: string,
    @Body() body: UpdateVariantDto,
  ): Promise<VariantResponse> {
    const { variant, inventory } = await this.catalog.updateVariant(id, body);
    return presentVariant(variant, inventory, this.catalog.now());
  }

  @Patch('v1/admin/variants/:id/stock')
  @AdminOnly()
  @ApiOperation({
    summary: 'Restock or remove stock, optionally compare-and-swap on version (admin)',
    description:
      'Adds `delta` to total and available stock. A delta applied twice counts twice, so a retry ' +
      'after a lost answer (a timeout, or a 503 saying the outcome is unknown) is safe only with ' +
      '`expectedVersion`: the retry applies only if the first attempt did not, and answers ' +
      '409 VERSION_CONFLICT if it did (read the inventory to see the result).',
  })
  async adjustStock(
    @Param('id', ObjectIdPipe) id: string,
    @Body() body: AdjustStockDto,
    @CurrentUser() admin: Principal,
    @RequestId() requestId: string,
  ): Promise<InventoryResponse> {
    const changed = await this.catalog.adjustStock(id, body, { actor: admin.userId, requestId });
    return presentInventory(changed);
  }

  @Get('v1/variants/:id')
  @ApiOperation({ summary: 'A variant with its stock and effective price' })
  async get(@Param('id', ObjectIdPipe) id: string): Promise<VariantResponse> {
    const { variant, inventory } = await this.catalog.getVariant(id);
    return presentVariant(variant, inventory, this.catalog.now());
  }

  @Get('v1/inventory/:variantId')
  @ApiOperation({ summary: "A variant's stock figures" })
  async inventory(@Param('variantId', ObjectIdPipe) variantId: string): Promise<InventoryResponse> {
    return presentInventory(await this.catalog.getInventory(variantId));
  }
}
