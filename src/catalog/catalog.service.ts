import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { ValidationFailedError, VariantNotFoundError } from '../common/errors/domain-errors';
import { StockEvents } from '../events/stock-events';
import { SoldOutGate } from '../reservations/sold-out-gate';
import { Store } from '../store/store';
import type { MovementContext } from '../store/ledger';
import type { Inventory, VariantWithInventory } from '../store/store.types';
import type { AdjustStockDto } from './dto/adjust-stock.dto';
import { type CreateVariantDto, MAX_STOCK } from './dto/create-variant.dto';
import type { UpdateVariantDto } from './dto/update-variant.dto';

/** Variants and their stock: admin creation and adjustment, reads for shoppers. */
@Injectable()
export class CatalogService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly soldOutGate: SoldOutGate,
    private readonly stockEvents: StockEvents,
  ) {}

  /** @param context the admin and request, recorded on the ledger's `created` movement. */
  async createVariant(
    input: CreateVariantDto,
    context: MovementContext = {},
  ): Promise<VariantWithInventory> {
    const saleStartsAt = input.saleStartsAt ? new Date(input.saleStartsAt) : undefined;
    const saleEndsAt = input.saleEndsAt ? new Date(input.saleEndsAt) : undefined;
    if (input.salePrice !== undefined && input.salePrice > input.price) {
      throw new ValidationFailedError('salePrice must not be above price');
    }
    if ((saleStartsAt || saleEndsAt) && input.salePrice === undefined) {
      throw new ValidationFailedError('saleStartsAt and saleEndsAt need a salePrice');
    }
    if (saleStartsAt && saleEndsAt && saleEndsAt <= saleStartsAt) {
      throw new ValidationFailedError('saleEndsAt must be after saleStartsAt');
    }
    const created = await this.store.createVariant(
      {
        sku: input.sku,
        title: input.title,
        price: input.price,
        stock: input.stock,
        productId: input.productId ?? input.sku,
        attributes: input.attributes ?? {},
        salePrice: input.salePrice,
        saleStartsAt,
        saleEndsAt,
        purchaseLimit: input.purchaseLimit,
        lowStockThreshold: input.lowStockThreshold,
      },
      this.clock.now(),
      context,
    );
    this.stockEvents.emit(created.variant.id, created.inventory);
    return created;
  }

  async getVariant(variantId: string): Promise<VariantWithInventory> {
    const [variant, inventory] = await Promise.all([
      this.store.getVariant(variantId),
      this.store.getInventory(variantId),
    ]);
    if (!variant || !inventory) throw new VariantNotFoundError(variantId);
    return { variant, inventory };
  }

  async getInventory(variantId: string): Promise<Inventory> {
    const inventory = await this.store.getInventory(variantId);
    if (!inventory) throw new VariantNotFoundError(variantId);
    return inventory;
  }

  /** @param context the admin and request, recorded on the ledger's `adjusted` movement. */
  async adjustStock(
    variantId: string,
    input: AdjustStockDto,
    context: MovementContext = {},
  ): Promise<Inventory> {
    if (input.delta > 0) await this.refuseOverCap(variantId, input.delta);
    const inventory = await this.store.adjustStock({
      variantId,
      delta: input.delta,
      expectedVersion: input.expectedVersion,
      now: this.clock.now(),
      ...context,
    });
    // After any waitlist hand-over: a restock that all went to waiters leaves the gate closed.
    if (input.delta > 0) {
      this.soldOutGate.record(variantId, inventory.availableStock, inventory.version);
    }
    this.stockEvents.emit(variantId, inventory);
    return inventory;
  }

  /**
   * Creation caps total stock at MAX_STOCK; so does an increase. Only increases raise the total
   * (commits lower it), so the check reads the figure first: two admins adding at the very same
   * moment could overshoot by one delta, which stays far inside exact integer range (delta is
   * itself ≤ MAX_STOCK). Decreases are never refused by the cap.
   */
  private async refuseOverCap(variantId: string, delta: number): Promise<void> {
    const current = await this.store.getInventory(variantId);
    if (!current) throw new VariantNotFoundError(variantId);
    if (current.totalStock + delta > MAX_STOCK) {
      throw new ValidationFailedError(
        `delta would take totalStock to ${current.totalStock + delta}, above the cap of ${MAX_STOCK}`,
      );
    }
  }

  /**
   * Sets or (null) removes the purchase limit — holds from now on are judged against it — and the
   * low-stock threshold. A field left out is left as it is; a body with neither is refused.
   */
  async updateVariant(variantId: string, input: UpdateVariantDto): Promise<VariantWithInventory> {
    if (input.purchaseLimit === undefined && input.lowStockThreshold === undefined) {
      throw new ValidationFailedError('Give purchaseLimit, lowStockThreshold or both');
    }
    const now = this.clock.now();
    if (input.purchaseLimit !== undefined) {
      await this.store.setPurchaseLimit(variantId, input.purchaseLimit, now);
    }
    if (input.lowStockThreshold !== undefined) {
      await this.store.setLowStockThreshold(variantId, input.lowStockThreshold, now);
    }
    return this.getVariant(variantId);
  }

  now(): Date {
    return this.clock.now();
  }
}
