import type { CreateIndexesOptions, Db, IndexSpecification } from 'mongodb';
import {
  CART_INDEXES,
  LEDGER_INDEXES,
  STORE_INDEXES,
  WAITLIST_INDEXES,
} from '../store/mongo/mongo.schemas';
import { WEBHOOK_INDEXES } from '../store/mongo/mongo.webhook-schemas';
import { migrationLog } from './migration-log';

/**
 * Creates and drops the indexes of the stock collections. The list itself is `STORE_INDEXES`, declared once
 * beside the mongoose schemas, so the schemas (autoIndex in development) and this migration
 * (production, autoIndex off) cannot drift apart.
 */
export interface IndexDefinition {
  collection: string;
  keys: Record<string, 1 | -1 | 'text'>;
  options?: CreateIndexesOptions;
}

export const INDEXES: readonly IndexDefinition[] = STORE_INDEXES;

/** The name MongoDB gives an index when none is set (`userId_1_status_1`, `title_text_sku_text`). */
export function indexName(definition: IndexDefinition): string {
  return (
    definition.options?.name ??
    Object.entries(definition.keys)
      .map(([field, direction]) => `${field}_${direction}`)
      .join('_')
  );
}

const NAMESPACE_NOT_FOUND = 26;
const INDEX_NOT_FOUND = 27;

const CONFLICT_HINT =
  '. An index with this name or these keys but other options exists (made by hand or by an older version): ' +
  'drop it with db.<collection>.dropIndex(...) and run again.';
const CREATE_HINTS: Record<number, string> = {
  85: CONFLICT_HINT, // IndexOptionsConflict
  86: CONFLICT_HINT, // IndexKeySpecsConflict
  11000:
    '. Existing documents repeat a value this unique index forbids: resolve the duplicates and run again.',
};

/** Idempotent: an identical index is left as it is; one with the same name but other options fails loudly. */
export async function createIndexes(
  db: Db,
  indexes: readonly IndexDefinition[] = INDEXES,
): Promise<void> {
  for (const definition of indexes) {
    const name = indexName(definition);
    try {
      await db
        .collection(definition.collection)
        .createIndex(definition.keys as IndexSpecification, { ...definition.options, name });
    } catch (error) {
      const hint = CREATE_HINTS[(error as { code?: number }).code ?? 0] ?? '';
      throw new Error(
        `could not create index ${name} on ${definition.collection}: ${(error as Error).message}${hint}`,
        {
          cause: error,
        },
      );
    }
    migrationLog(`indexes: ${definition.collection}.${name} ready`);
  }
}

export async function dropIndexes(
  db: Db,
  indexes: readonly IndexDefinition[] = INDEXES,
): Promise<void> {
  for (const definition of [...indexes].reverse()) {
    const name = indexName(definition);
    try {
      await db.collection(definition.collection).dropIndex(name);
      migrationLog(`indexes: dropped ${definition.collection}.${name}`);
    } catch (error) {
      // Already gone (or never made): down must work on a partly migrated database too.
      const code = (error as { code?: number }).code;
      if (code !== INDEX_NOT_FOUND && code !== NAMESPACE_NOT_FOUND) throw error;
    }
  }
}

/** The indexes of cart holds and purchase limits (their own migration, after the store's). */
export const CART_INDEX_DEFINITIONS: readonly IndexDefinition[] = CART_INDEXES;

/** The stock ledger's index (its own migration, after the carts'). */
export const LEDGER_INDEX_DEFINITIONS: readonly IndexDefinition[] = LEDGER_INDEXES;

/** The waitlist's indexes (the waitlist migration). */
export const WAITLIST_INDEX_DEFINITIONS: readonly IndexDefinition[] = WAITLIST_INDEXES;
/** The webhook collections' indexes (WEBHOOK_INDEXES), made by the webhooks migration. */
export const WEBHOOK_INDEX_DEFINITIONS: readonly IndexDefinition[] = WEBHOOK_INDEXES;
