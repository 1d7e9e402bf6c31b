import type { AnyBulkWriteOperation, Collection, Document } from 'mongodb';
import type {
  LegacyInventoryDocument,
  LegacyInventorySource,
  LegacyInventoryUpdate,
} from './legacy-inventory';

/** `{field: null}` matches a missing field as well as an explicit null. */
// Filters are typed `Document`: legacy _id values are of unknown type, which the driver's
// `Filter<Document>` (ObjectId _id) cannot express.
const MISSING_A_NEW_FIELD: Document = {
  $or: [{ availableStock: null }, { version: null }, { needsSync: null }, { updatedAt: null }],
};

const PROJECTION = {
  _id: 1,
  variantId: 1,
  totalStock: 1,
  reservedStock: 1,
  availableStock: 1,
  version: 1,
  needsSync: 1,
  updatedAt: 1,
};

/**
 * The figures read are part of the filter, so a document changed since is not touched. `$eq`
 * keeps a stored value from ever acting as an operator; `{$eq: null}` also matches a missing field.
 */
function conditionFor(update: LegacyInventoryUpdate<unknown>): Document {
  const condition: Document = { _id: { $eq: update.id } };
  for (const [field, value] of Object.entries(update.expected)) condition[field] = { $eq: value };
  return condition;
}

/** The legacy migration's source over the `inventory` collection (plain driver, no mongoose). */
export class MongoLegacyInventorySource implements LegacyInventorySource<unknown> {
  constructor(private readonly collection: Collection<Document>) {}

  async findBatch(afterId: unknown, limit: number): Promise<LegacyInventoryDocument<unknown>[]> {
    // A range on _id walks the _id index; skip/offset would rescan and miss documents.
    const filter: Document =
      afterId === null
        ? MISSING_A_NEW_FIELD
        : { $and: [{ _id: { $gt: afterId } }, MISSING_A_NEW_FIELD] };
    const documents = await this.collection
      .find(filter, { projection: PROJECTION, sort: { _id: 1 }, limit })
      .toArray();
    return documents as LegacyInventoryDocument<unknown>[];
  }

  async applyBatch(updates: LegacyInventoryUpdate<unknown>[]): Promise<number> {
    const operations: AnyBulkWriteOperation<Document>[] = updates.map((update) => ({
      updateOne: {
        filter: conditionFor(update),
        update: { $set: update.set },
      },
    }));
    // Unordered: one failed write does not stop the rest of the batch; the error still surfaces.
    const result = await this.collection.bulkWrite(operations, { ordered: false });
    return result.matchedCount;
  }

  countRemaining(): Promise<number> {
    return this.collection.countDocuments(MISSING_A_NEW_FIELD);
  }
}
