import { Types } from 'mongoose';
import {
  InsufficientStockError,
  ServiceUnavailableError,
  SkuExistsError,
  VariantNotFoundError,
  VersionConflictError,
} from '../../common/errors/domain-errors';
import type {
  AdjustStockCommand,
  Inventory,
  NewVariant,
  Variant,
  VariantWithInventory,
} from '../store.types';
import { idToString, parseObjectId, toInventory, toVariant } from './mongo.mappers';
import { indexNamed, isDuplicateKeyOn } from './mongo.errors';
import type { InventoryDoc, StoreModels, VariantDoc } from './mongo.schemas';
import { MAX_ROUNDS, SYNC_READ_CONCERN } from './mongo.policy';
import type { TransactionRunner } from './transactions';

/** Variants and their stock figures: creation, reads, admin adjustments. */
export class MongoCatalog {
  constructor(
    private readonly models: StoreModels,
    private readonly transactions: TransactionRunner,
  ) {}

  async createVariant(input: NewVariant, now: Date): Promise<VariantWithInventory> {
    return this.transactions.run(async (session) => {
      const id = new Types.ObjectId();
      const variant: VariantDoc = {
        _id: id,
        sku: input.sku,
        // A variant created without a product stands for a product of its own (as the memory store).
        productId: input.productId ?? idToString(id),
        title: input.title,
        attributes: { ...(input.attributes ?? {}) },
        price: input.price,
        ...(input.salePrice !== undefined && { salePrice: input.salePrice }),
        ...(input.saleStartsAt !== undefined && { saleStartsAt: input.saleStartsAt }),
        ...(input.saleEndsAt !== undefined && { saleEndsAt: input.saleEndsAt }),
        ...(input.purchaseLimit !== undefined && { purchaseLimit: input.purchaseLimit }),
        createdAt: now,
        updatedAt: now,
      };
      try {
        await this.models.variants.insertOne(variant, { session });
      } catch (error) {
        if (isDuplicateKeyOn(error, indexNamed('sku_unique'))) throw new SkuExistsError(input.sku);
        throw error;
      }
      // Creation is the first stock change: version 1, waiting for its first search sync.
      const inventory: InventoryDoc = {
        _id: new Types.ObjectId(),
        variantId: id,
        totalStock: input.stock,
        reservedStock: 0,
        availableStock: input.stock,
        version: 1,
        needsSync: true,
        updatedAt: now,
      };
      await this.models.inventory.insertOne(inventory, { session });
      return { variant: toVariant(variant), inventory: toInventory(inventory) };
    });
  }

  async getVariant(variantId: string): Promise<Variant | null> {
    const id = parseObjectId(variantId);
    if (!id) return null;
    const doc = await this.models.variants
      .findOne({ _id: id })
      .read('primary')
      .readConcern(SYNC_READ_CONCERN)
      .lean();
    return doc ? toVariant(doc) : null;
  }

  async getInventory(variantId: string): Promise<Inventory | null> {
    const id = parseObjectId(variantId);
    if (!id) return null;
    const doc = await this.models.inventory
      .findOne({ variantId: id })
      .read('primary')
      .readConcern(SYNC_READ_CONCERN)
      .lean();
    return doc ? toInventory(doc) : null;
  }

  /**
   * One conditional update, no transaction. "total + delta ≥ 0 and ≥ reserved" reduces to
   * "available + delta ≥ 0": with I1 (available = total − reserved) the second condition is exactly
   * that, and it implies the first because reserved ≥ 0. So the filter is `availableStock ≥ −delta`
   * on the stored, indexed field — no `$expr`. On no match one read tells which condition failed.
   */
  async adjustStock(command: AdjustStockCommand): Promise<Inventory> {
    const { delta, expectedVersion, now } = command;
    const variantId = parseObjectId(command.variantId);
    if (!variantId) throw new VariantNotFoundError(command.variantId);
    for (let round = 1; round <= MAX_ROUNDS; round++) {
      const updated = await this.models.inventory.findOneAndUpdate(
        {
          variantId,
          availableStock: { $gte: -delta },
          ...(expectedVersion !== undefined && { version: expectedVersion }),
        },
        {
          $inc: { totalStock: delta, availableStock: delta, version: 1 },
          $set: { needsSync: true, updatedAt: now },
        },
        { returnDocument: 'after', lean: true },
      );
      if (updated) return toInventory(updated);

      const current = await this.models.inventory.findOne({ variantId }).read('primary').lean();
      if (!current) throw new VariantNotFoundError(command.variantId);
      if (expectedVersion !== undefined && current.version !== expectedVersion) {
        throw new VersionConflictError(expectedVersion, current.version);
      }
      if (current.availableStock + delta < 0) {
        throw new InsufficientStockError(
          `Cannot change total stock of ${command.variantId} by ${delta}: ` +
            `${current.totalStock} in stock, ${current.reservedStock} reserved`,
        );
      }
      // Stock came back between the update and the read, so the update would now apply: go again.
    }
    throw new ServiceUnavailableError(
      `Stock of ${command.variantId} kept changing; try the adjustment again`,
    );
  }
}
