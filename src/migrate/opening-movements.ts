import { ObjectId, type Db } from 'mongodb';
import { STORE_COLLECTIONS } from '../store/mongo/mongo.schemas';
import { migrationLog } from './migration-log';

/**
 * Writes an opening balance for every variant whose ledger is empty: one `created` movement at
 * seq = the inventory's version, whose delta and after are its figures, so the variant's movements
 * sum to its figures (I7) from there on. Idempotent: a variant with any movement is skipped, and
 * the unique {variantId, seq} index turns a racing second run's insert into a no-op upsert.
 */
export async function openingMovements(db: Db, now = new Date()): Promise<number> {
  const inventory = db.collection(STORE_COLLECTIONS.inventory);
  const movements = db.collection(STORE_COLLECTIONS.stockmovements);
  let written = 0;
  for await (const doc of inventory.find({})) {
    if (await movements.findOne({ variantId: doc.variantId }, { projection: { _id: 1 } })) {
      continue;
    }
    const figures = {
      total: doc.totalStock as number,
      reserved: doc.reservedStock as number,
      available: doc.availableStock as number,
    };
    const result = await movements.updateOne(
      { variantId: doc.variantId, seq: doc.version as number },
      {
        $setOnInsert: {
          _id: new ObjectId(),
          type: 'created',
          delta: figures,
          after: figures,
          actor: 'migration',
          at: now,
        },
      },
      { upsert: true },
    );
    written += result.upsertedCount;
  }
  migrationLog(`stock ledger: ${written} opening balance(s) written`);
  return written;
}
