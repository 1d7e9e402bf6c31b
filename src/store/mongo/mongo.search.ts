import { MongoBulkWriteError, type AnyBulkWriteOperation } from 'mongodb';
import type {
  PendingSync,
  SearchDocument,
  SearchPage,
  SearchQuery,
  VariantWithInventory,
} from '../store.types';
import { searchWords, textSearchString } from '../search-text';
import {
  copyDateOrUnknown,
  idToString,
  parseObjectId,
  searchDocumentFromDoc,
  searchDocumentUpdate,
  toInventory,
  toVariant,
} from './mongo.mappers';
import { DUPLICATE_KEY, requiredObjectId } from './mongo.errors';
import type { InventoryDoc, SearchDocumentDoc, StoreModels } from './mongo.schemas';
import { SYNC_READ_CONCERN } from './mongo.policy';

/** Search sync: the variant walk, pending syncs, and the search documents. */
export class MongoSearchSync {
  constructor(private readonly models: StoreModels) {}

  /** A range query on `_id` (never skip), then the page's inventory in one `$in` query. */
  async countVariants(): Promise<number> {
    // The collection's metadata count: instant at any size, and exact enough for a progress bar.
    return this.models.variants.estimatedDocumentCount();
  }

  async listVariants(afterId: string | null, limit: number): Promise<VariantWithInventory[]> {
    if (limit <= 0) return [];
    const after = afterId === null ? null : requiredObjectId(afterId, 'afterId');
    const variants = await this.models.variants
      .find(after === null ? {} : { _id: { $gt: after } })
      .sort({ _id: 1 })
      .limit(limit)
      .read('primary')
      .readConcern(SYNC_READ_CONCERN)
      .lean();
    if (variants.length === 0) return [];
    const inventories = await this.models.inventory
      .find({ variantId: { $in: variants.map((variant) => variant._id) } })
      .read('primary')
      .readConcern(SYNC_READ_CONCERN)
      .lean();
    const byVariant = new Map(inventories.map((doc) => [idToString(doc.variantId), doc]));
    return variants.map((doc) => {
      const inventory = byVariant.get(idToString(doc._id));
      // Unreachable while both are created in one transaction. Skipping the variant instead would
      // shorten the page, and a walker would take a short page for the last one and stop early.
      if (!inventory) throw new Error(`variant ${idToString(doc._id)} has no inventory`);
      return { variant: toVariant(doc), inventory: toInventory(inventory) };
    });
  }

  /**
   * `needsSync: true` matches the partial needsSync index, which holds only the pending few, so
   * the sort by change time happens on that small set.
   */
  async findPendingSyncs(limit: number): Promise<PendingSync[]> {
    if (limit <= 0) return [];
    const docs = await this.models.inventory
      .find({ needsSync: true }, { variantId: 1, version: 1, updatedAt: 1 })
      .sort({ updatedAt: 1, variantId: 1 })
      .limit(limit)
      .read('primary')
      .readConcern(SYNC_READ_CONCERN)
      .lean<Array<Pick<InventoryDoc, 'variantId' | 'version' | 'updatedAt'>>>();
    return docs.map((doc) => ({
      variantId: idToString(doc.variantId),
      version: doc.version,
      changedAt: copyDateOrUnknown(doc.updatedAt),
    }));
  }

  /**
   * One unordered bulkWrite of version-guarded upserts: each matches the stored document only if
   * it is older, and otherwise tries to insert, which the unique variantId index refuses (E11000).
   * That refusal means "not newer" — except when no document existed yet and a concurrent writer
   * inserted one between our match and our insert: then ours may well be the newer one. So the
   * refused documents get one more round, in which a document certainly exists and the filter
   * alone decides; an E11000 there really is "the stored one is the same or newer".
   */
  async upsertSearchDocuments(documents: SearchDocument[]): Promise<number> {
    let written = 0;
    let pending = documents;
    for (let round = 1; round <= 2 && pending.length > 0; round++) {
      const outcome = await this.upsertSearchRound(pending);
      written += outcome.written;
      pending = outcome.refused;
    }
    return written;
  }

  private async upsertSearchRound(
    documents: SearchDocument[],
  ): Promise<{ written: number; refused: SearchDocument[] }> {
    const operations: AnyBulkWriteOperation<SearchDocumentDoc>[] = documents.map((document) => ({
      updateOne: {
        filter: {
          variantId: requiredObjectId(document.variantId, 'variantId'),
          syncedVersion: { $lt: document.syncedVersion },
        },
        update: searchDocumentUpdate(document),
        upsert: true,
      },
    }));
    const collection = this.models.searchDocuments.collection;
    try {
      const result = await collection.bulkWrite(operations as AnyBulkWriteOperation[], {
        ordered: false,
      });
      return { written: result.upsertedCount + result.modifiedCount, refused: [] };
    } catch (error) {
      if (!(error instanceof MongoBulkWriteError)) throw error;
      const writeErrors = Array.isArray(error.writeErrors)
        ? error.writeErrors
        : [error.writeErrors];
      // Anything but "not newer" — a driver error, another write error, a write concern not met
      // (the driver reports write errors first, so that one is looked up on the result) — is a
      // real failure: the caller retries the whole batch, safe since every write is version-guarded.
      if (
        error.err !== undefined ||
        error.result?.getWriteConcernError() !== undefined ||
        writeErrors.length === 0 ||
        writeErrors.some((e) => e.code !== DUPLICATE_KEY)
      ) {
        throw error;
      }
      return {
        written: error.upsertedCount + error.modifiedCount,
        refused: writeErrors.map((e) => documents[e.index]),
      };
    }
  }

  /** Leaves updatedAt alone: it is when the change happened, which the sync lag is measured from. */
  async clearNeedsSync(variantId: string, version: number): Promise<boolean> {
    const id = parseObjectId(variantId);
    if (!id) return false;
    const result = await this.models.inventory.updateOne(
      { variantId: id, version },
      { $set: { needsSync: false } },
    );
    return result.matchedCount === 1;
  }

  async getSearchDocument(variantId: string): Promise<SearchDocument | null> {
    const id = parseObjectId(variantId);
    if (!id) return null;
    const doc = await this.models.searchDocuments
      .findOne({ variantId: id })
      .read('primary')
      .lean<SearchDocumentDoc>();
    return doc ? searchDocumentFromDoc(doc) : null;
  }

  /**
   * `$text` with one quoted phrase per word (phrases are ANDed; see search-text.ts), the in-stock
   * flag and `variantId > cursor`, sorted by variantId. One extra document tells whether another
   * page follows.
   */
  async searchDocuments(query: SearchQuery): Promise<SearchPage> {
    if (query.limit <= 0) return { items: [], nextCursor: null };
    const filter: Record<string, unknown> = {};
    if (query.q !== undefined) {
      const words = searchWords(query.q);
      if (words.length === 0) return { items: [], nextCursor: null };
      filter.$text = { $search: textSearchString(words), $language: 'none' };
    }
    if (query.inStock !== undefined) filter.inStock = query.inStock;
    if (query.cursor !== undefined) {
      filter.variantId = { $gt: requiredObjectId(query.cursor, 'cursor') };
    }
    const docs = await this.models.searchDocuments
      .find(filter)
      .sort({ variantId: 1 })
      .limit(query.limit + 1)
      .read('primary')
      .lean<SearchDocumentDoc[]>();
    const items = docs.slice(0, query.limit).map(searchDocumentFromDoc);
    const more = docs.length > query.limit;
    return { items, nextCursor: more ? items[items.length - 1].variantId : null };
  }
}
