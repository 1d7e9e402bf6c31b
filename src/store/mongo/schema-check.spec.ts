import type { Document } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { INVENTORY_VALIDATOR, STORE_VALIDATORS } from '../../migrate/store-validators';
import {
  EXPECTED_SCHEMA,
  expectedSchema,
  findSchemaGaps,
  SchemaNotMigratedError,
  type ObservedSchema,
} from './schema-check';

/** An index as `listIndexes` reports it after the migrations created it. */
function listed(spec: (typeof EXPECTED_SCHEMA.indexes)[number]): Document {
  const textFields = Object.keys(spec.keys).filter((field) => spec.keys[field] === 'text');
  const base: Document = { v: 2, name: spec.options.name };
  if (spec.options.unique) base.unique = true;
  if (spec.options.expireAfterSeconds !== undefined) {
    base.expireAfterSeconds = spec.options.expireAfterSeconds;
  }
  if (spec.options.partialFilterExpression) {
    base.partialFilterExpression = spec.options.partialFilterExpression;
  }
  if (spec.options.collation) {
    // As the server lists it: every collation field, not only those the index was made with.
    base.collation = { caseLevel: false, alternate: 'non-ignorable', ...spec.options.collation };
  }
  if (textFields.length === 0) return { ...base, key: spec.keys };
  return {
    ...base,
    key: { _fts: 'text', _ftsx: 1 },
    weights: Object.fromEntries(textFields.map((field) => [field, 1])),
    default_language: spec.options.default_language ?? 'english',
    language_override: 'language',
    textIndexVersion: 3,
  };
}

/** A database as `npm run migrate` leaves it. */
function migrated(expected = EXPECTED_SCHEMA): ObservedSchema {
  const observed: ObservedSchema = new Map();
  for (const name of expected.collections) {
    const validator = STORE_VALIDATORS.find((each) => each.collection === name);
    observed.set(name, {
      options: validator
        ? {
            validator: structuredClone(validator.validator),
            validationLevel: 'strict',
            validationAction: 'error',
          }
        : {},
      indexes: [
        { v: 2, key: { _id: 1 }, name: '_id_' },
        ...expected.indexes.filter((spec) => spec.collection === name).map(listed),
      ],
    });
  }
  return observed;
}

const withoutIndex = (observed: ObservedSchema, collection: string, name: string) => {
  const entry = observed.get(collection)!;
  entry.indexes = entry.indexes.filter((index) => index.name !== name);
  return observed;
};

describe('findSchemaGaps', () => {
  it('finds nothing on a fully migrated database', () => {
    expect(findSchemaGaps(migrated())).toEqual([]);
  });

  it('names every collection of an empty database', () => {
    expect(findSchemaGaps(new Map())).toEqual([
      'collection variants is missing',
      'collection inventory is missing',
      'collection reservations is missing',
      'collection userholds is missing',
      'collection cartgroups is missing',
      'collection purchasecounts is missing',
      'collection stockmovements is missing',
      'collection waitlistentries is missing',
      'collection webhooksubscriptions is missing',
      'collection webhookprogress is missing',
      'collection webhooklanes is missing',
      'collection webhookdeliveries is missing',
      'collection searchdocuments is missing',
    ]);
  });

  it('names a missing userholds collection', () => {
    const observed = migrated();
    observed.delete('userholds');
    expect(findSchemaGaps(observed)).toEqual(['collection userholds is missing']);
  });

  it('names each missing index, the text index included', () => {
    const observed = withoutIndex(migrated(), 'variants', 'sku_unique');
    withoutIndex(observed, 'searchdocuments', 'title_sku_text');
    expect(findSchemaGaps(observed)).toEqual([
      'index variants.sku_unique is missing',
      'index searchdocuments.title_sku_text is missing',
    ]);
  });

  it('tells an index that lost its uniqueness, its partial filter or its key order', () => {
    const observed = migrated();
    const reservations = observed.get('reservations')!.indexes;
    delete reservations.find((index) => index.name === 'userId_idempotencyKey_unique')!.unique;
    reservations.find((index) => index.name === 'active_by_expiry')!.partialFilterExpression = {
      status: 'committed',
    };
    reservations.find((index) => index.name === 'userId_status')!.key = { status: 1, userId: 1 };
    expect(findSchemaGaps(observed)).toEqual([
      'index reservations.userId_status differs (keys {"status":1,"userId":1})',
      'index reservations.active_by_expiry differs (partial filter {"status":"committed"})',
      'index reservations.userId_idempotencyKey_unique differs (not unique)',
    ]);
  });

  it('tells a SKU index still without its case-insensitive collation', () => {
    const observed = migrated();
    delete observed.get('variants')!.indexes.find((index) => index.name === 'sku_unique')!
      .collation;
    expect(findSchemaGaps(observed)).toEqual([
      'index variants.sku_unique differs (collation none)',
    ]);
  });

  it('tells a text index with other fields or stemming', () => {
    const observed = migrated();
    const text = observed
      .get('searchdocuments')!
      .indexes.find((index) => index.name === 'title_sku_text')!;
    text.default_language = 'english';
    expect(findSchemaGaps(observed)).toEqual([
      'index searchdocuments.title_sku_text differs (language english)',
    ]);
    text.weights = { title: 1 };
    expect(findSchemaGaps(observed)).toEqual([
      'index searchdocuments.title_sku_text differs (text fields title)',
    ]);
  });

  it('tells a missing, an older and a lax validator apart', () => {
    const observed = migrated();
    observed.get('reservations')!.options = {};
    // The validator before updatedAt was required.
    const older = structuredClone(INVENTORY_VALIDATOR.validator);
    older.$jsonSchema.required = older.$jsonSchema.required.filter(
      (field: string) => field !== 'updatedAt',
    );
    observed.get('inventory')!.options.validator = older;
    expect(findSchemaGaps(observed)).toEqual([
      'validator on inventory is out of date',
      'validator on reservations is missing',
    ]);
    observed.get('inventory')!.options = {
      validator: structuredClone(INVENTORY_VALIDATOR.validator),
      validationLevel: 'moderate',
    };
    expect(findSchemaGaps(observed)).toContain('validator on inventory is not strict/error');
  });

  it('wants the TTL index on ended reservations with the configured lifetime', () => {
    const thirtyDays = expectedSchema(30);
    expect(findSchemaGaps(migrated(thirtyDays), thirtyDays)).toEqual([]);
    const retention = (observed: ObservedSchema) =>
      observed.get('reservations')!.indexes.find((index) => index.name === 'ended_retention')!;
    expect(retention(migrated(thirtyDays))).toMatchObject({
      key: { endedAt: 1 },
      expireAfterSeconds: 30 * 86_400,
      partialFilterExpression: { status: { $in: ['released', 'expired'] } },
    });

    // Migrated before the retention existed: the index is missing.
    expect(findSchemaGaps(migrated(), thirtyDays)).toEqual([
      'index reservations.ended_retention is missing',
    ]);

    // RETENTION_DAYS changed from 30 to 7 without `npm run migrate`.
    expect(findSchemaGaps(migrated(thirtyDays), expectedSchema(7))).toEqual([
      'index reservations.ended_retention differs (expireAfterSeconds 2592000 s = 30 days, ' +
        'the configuration asks 604800 s = 7 days)',
    ]);

    // A TTL index must not reach committed reservations (they carry purchase limits).
    const wider = migrated(thirtyDays);
    delete retention(wider).partialFilterExpression;
    expect(findSchemaGaps(wider, thirtyDays)).toEqual([
      'index reservations.ended_retention differs (partial filter null)',
    ]);
  });

  it('refuses the TTL index when RETENTION_DAYS=0 keeps ended reservations forever', () => {
    expect(findSchemaGaps(migrated(), expectedSchema(0))).toEqual([]);
    expect(findSchemaGaps(migrated(expectedSchema(30)), expectedSchema(0))).toEqual([
      'index reservations.ended_retention must not exist (RETENTION_DAYS=0 keeps ended ' +
        'reservations forever, yet this TTL index deletes them)',
    ]);
  });

  it('ignores the order of a validator’s keys, which the server may not keep', () => {
    const observed = migrated();
    const { $expr, $jsonSchema } = INVENTORY_VALIDATOR.validator;
    observed.get('inventory')!.options.validator = { $expr, $jsonSchema };
    expect(findSchemaGaps(observed)).toEqual([]);
  });
});

describe('SchemaNotMigratedError', () => {
  it('says in one line what is missing and that `npm run migrate` is the cure', () => {
    const error = new SchemaNotMigratedError([
      'collection userholds is missing',
      'index variants.sku_unique is missing',
    ]);
    expect(error.message).toBe(
      'MongoDB database is not migrated: collection userholds is missing; index variants.sku_unique is missing. ' +
        'Run `npm run migrate` (or `node dist/migrate/main.js up`) against it, then start again.',
    );
    expect(error.message).not.toContain('\n');
  });
});
