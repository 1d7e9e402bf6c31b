import { Types } from 'mongoose';
import {
  InsufficientStockError,
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
import { SYNC_READ_CONCERN } from './mongo.policy';
import type { TransactionRunner } from './transactions';
import type { MongoWaitlist } from './mongo.waitlist';
import type { WaitlistNotice } from '../waitlist.types';
import { applyStockChange, insertMovement } from './mongo.ledger';
import { adminContext, MOVEMENT_DELTAS, type MovementContext } from '../ledger';

/** Variants and their stock figures: creation, reads, admin adjustments. */
export class MongoCatalog {
  constructor(
    private readonly models: StoreModels,
    private readonly transactions: TransactionRunner,
    private readonly waitlist: MongoWaitlist,
  ) {}

  async createVariant(
    input: NewVariant,
    now: Date,
    context?: MovementContext,
  ): Promise<VariantWithInventory> {
    const { actor, requestId } = adminContext(context);
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
        ...(input.lowStockThreshold !== undefined && {
          lowStockThreshold: input.lowStockThreshold,
        }),
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
      // The ledger's first movement (seq 1 = the version created), before the inventory as always.
      const stock = { total: input.stock, reserved: 0, available: input.stock };
      await insertMovement(this.models, session, {
        _id: new Types.ObjectId(),
        variantId: id,
        seq: 1,
        type: 'created',
        delta: stock,
        after: stock,
        actor,
        ...(requestId !== undefined && { requestId }),
        at: now,
      });
      await this.models.inventory.insertOne(inventory, { session });
      return { variant: toVariant(variant), inventory: toInventory(inventory) };
    });
  }

  /** One conditional update of the variant document (never the inventory): no transaction. */
  async setLowStockThreshold(
    variantId: string,
    threshold: number | null,
    now: Date,
  ): Promise<Variant> {
    const id = parseObjectId(variantId);
    if (!id) throw new VariantNotFoundError(variantId);
    const update =
      threshold === null
        ? { $unset: { lowStockThreshold: '' }, $set: { updatedAt: now } }
        : { $set: { lowStockThreshold: threshold, updatedAt: now } };
    const doc = await this.models.variants.findOneAndUpdate({ _id: id }, update, {
      returnDocument: 'after',
      lean: true,
    });
    if (!doc) throw new VariantNotFoundError(variantId);
    return toVariant(doc);
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
   * A transaction, since the ledger's movement is written with the change (mongo.ledger.ts): the
   * inventory is judged on the snapshot — version (compare-and-swap), then "total + delta ≥ 0 and
   * ≥ reserved", which with I1 (available = total − reserved) is "available + delta ≥ 0" — and a
   * change of it after the snapshot makes the write conflict and the whole attempt run again.
   */
  async adjustStock(command: AdjustStockCommand): Promise<Inventory> {
    const { delta, expectedVersion, now } = command;
    const variantId = parseObjectId(command.variantId);
    if (!variantId) throw new VariantNotFoundError(command.variantId);
    const { updated, notices } = await this.transactions.run(async (session) => {
      // Per attempt: an aborted attempt's offers never happened.
      const notices: WaitlistNotice[] = [];
      const adjusted = await applyStockChange(
        this.models,
        session,
        {
          variantId,
          type: 'adjusted',
          delta: MOVEMENT_DELTAS.adjusted(delta),
          context: adminContext(command),
          now,
        },
        (current) => {
          if (expectedVersion !== undefined && current.version !== expectedVersion) {
            throw new VersionConflictError(expectedVersion, current.version);
          }
          if (current.availableStock + delta < 0) {
            throw new InsufficientStockError(
              `Cannot change total stock of ${command.variantId} by ${delta}: ` +
                `${current.totalStock} in stock, ${current.reservedStock} reserved`,
            );
          }
        },
      );
      // A restock frees units: the waitlist has them first, in this transaction (I8).
      const updated =
        delta > 0 ? await this.waitlist.handOver(session, adjusted, now, notices) : adjusted;
      return { updated, notices };
    });
    this.waitlist.committed(notices);
    return toInventory(updated);
  }
}
