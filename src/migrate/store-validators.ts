import type { Db, Document } from 'mongodb';
import { STORE_COLLECTIONS } from '../store/mongo/mongo.schemas';
import { RESERVATION_STATUSES } from '../store/store.types';
import { migrationLog } from './migration-log';

/**
 * `$jsonSchema` validators that make MongoDB itself refuse what the invariants forbid:
 * a negative or fractional stock figure, `availableStock ≠ totalStock − reservedStock` (I1), an
 * unknown reservation status. They are a last line of defence under the application's own checks.
 *
 * validationLevel `strict`: every insert and update is checked, including updates to documents
 * that were already there. `moderate` would let an already-broken document be updated and stay
 * broken, which is exactly the oversold state these rules exist to stop. Strict is safe to switch
 * on because `installValidators` first proves no existing document violates the rules.
 * validationAction `error`: a violating write fails instead of being logged and kept.
 */

/** Integer stock figure ≥ 0 in any numeric BSON type the driver writes (int, long, or double). */
const nonNegativeInteger = {
  bsonType: ['int', 'long', 'double'],
  minimum: 0,
  // Beyond this a JavaScript number is no longer exact.
  maximum: Number.MAX_SAFE_INTEGER,
  multipleOf: 1,
};

export interface CollectionValidator {
  collection: string;
  validator: Document;
}

export const INVENTORY_VALIDATOR: CollectionValidator = {
  collection: STORE_COLLECTIONS.inventory,
  validator: {
    $jsonSchema: {
      bsonType: 'object',
      title: 'stockhold inventory (invariant I1)',
      required: [
        'variantId',
        'totalStock',
        'reservedStock',
        'availableStock',
        'version',
        'needsSync',
        'updatedAt',
      ],
      properties: {
        // The store finds inventory by the variant's ObjectId; any other type is never found.
        variantId: { bsonType: 'objectId' },
        totalStock: nonNegativeInteger,
        reservedStock: nonNegativeInteger,
        availableStock: nonNegativeInteger,
        version: nonNegativeInteger,
        needsSync: { bsonType: 'bool' },
        // Readers order pending syncs by it and report it; a missing date broke the search sync.
        updatedAt: { bsonType: 'date' },
      },
    },
    // I1. With every figure ≥ 0 this also gives reservedStock ≤ totalStock. Evaluated once per
    // written document, never by a query, so the hot path's reads stay free of `$expr`.
    $expr: { $eq: ['$availableStock', { $subtract: ['$totalStock', '$reservedStock'] }] },
  },
};

export const RESERVATIONS_VALIDATOR: CollectionValidator = {
  collection: STORE_COLLECTIONS.reservations,
  validator: {
    $jsonSchema: {
      bsonType: 'object',
      title: 'stockhold reservation',
      required: ['userId', 'variantId', 'quantity', 'status', 'expiresAt'],
      properties: {
        quantity: { ...nonNegativeInteger, minimum: 1 },
        status: { enum: [...RESERVATION_STATUSES] },
        expiresAt: { bsonType: 'date' },
      },
    },
  },
};

export const STORE_VALIDATORS: readonly CollectionValidator[] = [
  INVENTORY_VALIDATOR,
  RESERVATIONS_VALIDATOR,
];

export const VALIDATION_LEVEL = 'strict';
export const VALIDATION_ACTION = 'error';

/** How many offending ids a refusal lists. */
const LISTED_VIOLATIONS = 20;

const NAMESPACE_EXISTS = 48;

async function collectionExists(db: Db, name: string): Promise<boolean> {
  const found = await db.listCollections({ name }, { nameOnly: true }).toArray();
  return found.length > 0;
}

/** The ids of documents that would fail the validator (MongoDB's documented `$nor` idiom). */
async function findViolations(db: Db, { collection, validator }: CollectionValidator) {
  const filter = { $nor: [validator] };
  const sample = await db
    .collection(collection)
    .find(filter, { projection: { _id: 1 }, limit: LISTED_VIOLATIONS })
    .toArray();
  const count = sample.length === 0 ? 0 : await db.collection(collection).countDocuments(filter);
  return { count, ids: sample.map((document) => String(document._id)) };
}

export class ExistingDocumentsViolateValidatorError extends Error {
  constructor(collection: string, count: number, ids: string[]) {
    super(
      `${count} existing ${collection} documents violate the validator and would be locked against updates: ` +
        `${ids.join(', ')}${count > ids.length ? `, …` : ''}. ` +
        'GET /v1/admin/reconcile explains inventory violations; fix those documents, then run the migration again.',
    );
    this.name = 'ExistingDocumentsViolateValidatorError';
  }
}

/**
 * Installs every validator. Refuses (before changing anything) while existing documents violate
 * one, listing them. Creates a missing collection with its validator, so a fresh database is
 * guarded from its first write.
 */
export async function installValidators(db: Db, validators = STORE_VALIDATORS): Promise<void> {
  for (const definition of validators) {
    const { count, ids } = await findViolations(db, definition);
    if (count > 0)
      throw new ExistingDocumentsViolateValidatorError(definition.collection, count, ids);
  }
  for (const { collection, validator } of validators) {
    const options = {
      validator,
      validationLevel: VALIDATION_LEVEL,
      validationAction: VALIDATION_ACTION,
    } as const;
    if (!(await collectionExists(db, collection))) {
      try {
        await db.createCollection(collection, options);
        migrationLog(`validators: created ${collection} with its validator`);
        continue;
      } catch (error) {
        // Created meanwhile (the service's first write): fall through and modify it instead.
        if ((error as { code?: number }).code !== NAMESPACE_EXISTS) throw error;
      }
    }
    await db.command({ collMod: collection, ...options });
    migrationLog(
      `validators: ${collection} now validated (${VALIDATION_LEVEL}, ${VALIDATION_ACTION})`,
    );
  }
}

/** Removes every validator; collections and documents stay. */
export async function removeValidators(db: Db, validators = STORE_VALIDATORS): Promise<void> {
  for (const { collection } of validators) {
    if (!(await collectionExists(db, collection))) continue;
    // An empty validator is how MongoDB spells "none"; strict/error are the defaults again.
    await db.command({
      collMod: collection,
      validator: {},
      validationLevel: 'strict',
      validationAction: 'error',
    });
    migrationLog(`validators: removed from ${collection}`);
  }
}
