import type { Db, Document } from 'mongodb';
import { StoreStartupError } from '../store-startup-error';
import {
  STORE_VALIDATORS,
  VALIDATION_ACTION,
  VALIDATION_LEVEL,
  type CollectionValidator,
} from '../../migrate/store-validators';
import {
  CART_INDEXES,
  LEDGER_INDEXES,
  WAITLIST_INDEXES,
  RETENTION_INDEX_NAME,
  retentionIndex,
  SEARCH_COLLECTIONS,
  SEARCH_INDEXES,
  STORE_COLLECTIONS,
  STORE_INDEXES,
  type StoreIndexSpec,
} from './mongo.schemas';
import { WEBHOOK_INDEXES } from './mongo.webhook-schemas';

/** What the migrations make: every collection, index and validator the service relies on. */
export interface ExpectedSchema {
  collections: readonly string[];
  indexes: readonly StoreIndexSpec[];
  validators: readonly CollectionValidator[];
  /** Indexes that must not exist, each with the reason told to the operator. */
  unwantedIndexes?: readonly { collection: string; name: string; reason: string }[];
}

export const EXPECTED_SCHEMA: ExpectedSchema = {
  collections: [...Object.values(STORE_COLLECTIONS), ...Object.values(SEARCH_COLLECTIONS)],
  indexes: [
    ...STORE_INDEXES,
    ...CART_INDEXES,
    ...LEDGER_INDEXES,
    ...WAITLIST_INDEXES,
    ...WEBHOOK_INDEXES,
    ...SEARCH_INDEXES,
  ],
  validators: STORE_VALIDATORS,
};

/**
 * What the migrations make for this RETENTION_DAYS: EXPECTED_SCHEMA and the TTL index on ended
 * reservations with its expireAfterSeconds, or — with 0, kept forever — no such index at all.
 */
export function expectedSchema(retentionDays: number): ExpectedSchema {
  const retention = retentionIndex(retentionDays);
  if (retention) return { ...EXPECTED_SCHEMA, indexes: [...EXPECTED_SCHEMA.indexes, retention] };
  return {
    ...EXPECTED_SCHEMA,
    unwantedIndexes: [
      {
        collection: 'reservations',
        name: RETENTION_INDEX_NAME,
        reason:
          'RETENTION_DAYS=0 keeps ended reservations forever, yet this TTL index deletes them',
      },
    ],
  };
}

/** A collection as `listCollections` and `listIndexes` describe it. */
export interface ObservedCollection {
  /** `listCollections` options: validator, validationLevel, validationAction. */
  options: Document;
  /** `listIndexes` entries: name, key, unique, partialFilterExpression, weights, default_language. */
  indexes: Document[];
}

export type ObservedSchema = Map<string, ObservedCollection>;

/** Key order matters to an index and not to a filter or validator document; sorted for comparing. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

const sameDocument = (a: unknown, b: unknown) =>
  JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));

/** Why an existing index is not the expected one, or null when it is. */
function indexDifference(expected: StoreIndexSpec, found: Document): string | null {
  const textFields = Object.keys(expected.keys).filter((field) => expected.keys[field] === 'text');
  if (textFields.length > 0) {
    // A text index is listed as {_fts: 'text', _ftsx: 1}, its fields as weights.
    const weights = Object.keys((found.weights as Document | undefined) ?? {}).sort();
    if (weights.join() !== [...textFields].sort().join())
      return `text fields ${weights.join(', ')}`;
    const language = expected.options.default_language ?? 'english';
    if ((found.default_language ?? 'english') !== language) {
      return `language ${String(found.default_language)}`;
    }
  } else if (JSON.stringify(found.key) !== JSON.stringify(expected.keys)) {
    // Not canonical: {a: 1, b: 1} and {b: 1, a: 1} are different indexes.
    return `keys ${JSON.stringify(found.key)}`;
  }
  if (Boolean(found.unique) !== Boolean(expected.options.unique)) {
    return found.unique ? 'unique where it must not be' : 'not unique';
  }
  if (!sameDocument(found.partialFilterExpression, expected.options.partialFilterExpression)) {
    return `partial filter ${JSON.stringify(found.partialFilterExpression ?? null)}`;
  }
  // listIndexes reports a collation with every field filled in (caseLevel, alternate, …); only
  // the locale and strength are ours to set, so only they are compared.
  const collation = found.collation as Document | undefined;
  const wanted = expected.options.collation;
  if (collation?.locale !== wanted?.locale || collation?.strength !== wanted?.strength) {
    return `collation ${collation ? `${collation.locale}/${collation.strength}` : 'none'}`;
  }
  // A TTL index's lifetime is configuration (RETENTION_DAYS): one made for another value deletes
  // ended reservations sooner or later than the operator asked.
  const expireAfter = found.expireAfterSeconds as number | undefined;
  if (expireAfter !== expected.options.expireAfterSeconds) {
    const days = (seconds: number | undefined) =>
      seconds === undefined ? 'none' : `${seconds} s = ${seconds / 86_400} days`;
    return `expireAfterSeconds ${days(expireAfter)}, the configuration asks ${days(expected.options.expireAfterSeconds)}`;
  }
  return null;
}

/**
 * Every way the database falls short of what the migrations make, one phrase each; empty when it
 * is fully migrated. Pure: the caller reads the database (readObservedSchema).
 */
export function findSchemaGaps(observed: ObservedSchema, expected = EXPECTED_SCHEMA): string[] {
  const gaps: string[] = [];
  for (const name of expected.collections) {
    if (!observed.has(name)) gaps.push(`collection ${name} is missing`);
  }
  for (const spec of expected.indexes) {
    const collection = observed.get(spec.collection);
    if (!collection) continue; // already reported as a missing collection
    const found = collection.indexes.find((index) => index.name === spec.options.name);
    if (!found) {
      gaps.push(`index ${spec.collection}.${spec.options.name} is missing`);
      continue;
    }
    const difference = indexDifference(spec, found);
    if (difference) {
      gaps.push(`index ${spec.collection}.${spec.options.name} differs (${difference})`);
    }
  }
  for (const unwanted of expected.unwantedIndexes ?? []) {
    const collection = observed.get(unwanted.collection);
    if (collection?.indexes.some((index) => index.name === unwanted.name)) {
      gaps.push(
        `index ${unwanted.collection}.${unwanted.name} must not exist (${unwanted.reason})`,
      );
    }
  }
  for (const { collection: name, validator } of expected.validators) {
    const collection = observed.get(name);
    if (!collection) continue;
    const { options } = collection;
    if (
      options.validator === undefined ||
      Object.keys(options.validator as Document).length === 0
    ) {
      gaps.push(`validator on ${name} is missing`);
    } else if (!sameDocument(options.validator, validator)) {
      gaps.push(`validator on ${name} is out of date`);
    } else if (
      (options.validationLevel ?? 'strict') !== VALIDATION_LEVEL ||
      (options.validationAction ?? 'error') !== VALIDATION_ACTION
    ) {
      gaps.push(`validator on ${name} is not ${VALIDATION_LEVEL}/${VALIDATION_ACTION}`);
    }
  }
  return gaps;
}

/** The database refuses to be used as it is; the message says what is missing and the cure. */
export class SchemaNotMigratedError extends StoreStartupError {
  constructor(readonly gaps: string[]) {
    super(
      `MongoDB database is not migrated: ${gaps.join('; ')}. ` +
        'Run `npm run migrate` (or `node dist/migrate/main.js up`) against it, then start again.',
    );
    this.name = 'SchemaNotMigratedError';
  }
}

/** Reads what findSchemaGaps compares: one listCollections, one listIndexes per collection. */
export async function readObservedSchema(
  db: Db,
  collections: readonly string[] = EXPECTED_SCHEMA.collections,
): Promise<ObservedSchema> {
  const infos = await db.listCollections({ name: { $in: [...collections] } }).toArray();
  const observed: ObservedSchema = new Map();
  for (const info of infos) {
    const indexes = await db.collection(info.name).listIndexes().toArray();
    observed.set(info.name, { options: (info as { options?: Document }).options ?? {}, indexes });
  }
  return observed;
}

/**
 * Throws SchemaNotMigratedError unless the database has everything the migrations make for this
 * RETENTION_DAYS (`npm run migrate` also brings the TTL index in line after a change of it).
 */
export async function verifySchema(db: Db, retentionDays: number): Promise<void> {
  const gaps = findSchemaGaps(await readObservedSchema(db), expectedSchema(retentionDays));
  if (gaps.length > 0) throw new SchemaNotMigratedError(gaps);
}
