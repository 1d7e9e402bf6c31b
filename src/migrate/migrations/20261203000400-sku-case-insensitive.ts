import type { Db } from 'mongodb';
import { SKU_COLLATION } from '../../store/mongo/mongo.schemas';
import { migrationLog } from '../migration-log';

const INDEX_NOT_FOUND = 27;

/**
 * Makes `variants.sku_unique` case-insensitive (collation en, strength 2): an index cannot be
 * altered, so it is dropped and made again. Fails, leaving the old index dropped, if existing
 * SKUs differ only in case; the error names the duplicates' index, and `down` restores the old one.
 */
export async function up(db: Db): Promise<void> {
  await replaceSkuIndex(db, { unique: true, collation: SKU_COLLATION });
}

export async function down(db: Db): Promise<void> {
  await replaceSkuIndex(db, { unique: true });
}

async function replaceSkuIndex(
  db: Db,
  options: { unique: boolean; collation?: typeof SKU_COLLATION },
): Promise<void> {
  const variants = db.collection('variants');
  try {
    await variants.dropIndex('sku_unique');
  } catch (error) {
    if ((error as { code?: number }).code !== INDEX_NOT_FOUND) throw error;
  }
  await variants.createIndex({ sku: 1 }, { name: 'sku_unique', ...options });
  migrationLog(
    `indexes: variants.sku_unique ${options.collation ? 'case-insensitive' : 'case-sensitive'}`,
  );
}
