import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { INDEXES, indexName } from '../../src/migrate/store-indexes';
import {
  INVENTORY_VALIDATOR,
  RESERVATIONS_VALIDATOR,
  STORE_VALIDATORS,
  VALIDATION_ACTION,
  VALIDATION_LEVEL,
} from '../../src/migrate/store-validators';
import { STORE_COLLECTIONS } from '../../src/store/mongo/mongo.schemas';
import { RESERVATION_STATUSES } from '../../src/store/store.types';

/**
 * The designed indexes, transcribed independently of STORE_INDEXES: `inventory {variantId:1}` unique, `inventory {availableStock:1}`,
 * `inventory {needsSync:1}` partial where `needsSync: true`; `reservations {userId:1, status:1}`,
 * `{status:1, expiresAt:1}` partial where status active, `{userId:1, variantId:1}` unique partial
 * where status active, `{userId:1, idempotencyKey:1}` unique partial where idempotencyKey exists;
 * `variants {sku:1}` unique.
 */
const EXPECTED_INDEXES = [
  { collection: 'inventory', keys: { variantId: 1 }, unique: true },
  { collection: 'inventory', keys: { availableStock: 1 } },
  { collection: 'inventory', keys: { needsSync: 1 }, partial: { needsSync: true } },
  { collection: 'reservations', keys: { userId: 1, status: 1 } },
  { collection: 'reservations', keys: { status: 1, expiresAt: 1 }, partial: { status: 'active' } },
  {
    collection: 'reservations',
    keys: { userId: 1, variantId: 1 },
    unique: true,
    partial: { status: 'active' },
  },
  {
    collection: 'reservations',
    keys: { userId: 1, idempotencyKey: 1 },
    unique: true,
    partial: { idempotencyKey: { $exists: true } },
  },
  { collection: 'variants', keys: { sku: 1 }, unique: true },
];

const describeIndex = (collection: string, keys: object, unique?: boolean, partial?: object) =>
  JSON.stringify({
    collection,
    keys: Object.entries(keys),
    unique: unique === true,
    partial: partial ?? null,
  });

describe('the index migration', () => {
  it('creates exactly the designed indexes, key order and options included', () => {
    const migrated = INDEXES.map((index) =>
      describeIndex(
        index.collection,
        index.keys,
        index.options?.unique,
        index.options?.partialFilterExpression,
      ),
    );
    const designed = EXPECTED_INDEXES.map((index) =>
      describeIndex(index.collection, index.keys, index.unique, index.partial),
    );
    expect([...migrated].sort()).toEqual([...designed].sort());
  });

  it('names every index, uniquely per collection, so down can drop exactly what up made', () => {
    const names = INDEXES.map((index) => `${index.collection}.${indexName(index)}`);
    expect(new Set(names).size).toBe(INDEXES.length);
    expect(indexName({ collection: 'c', keys: { userId: 1, status: -1 } })).toBe(
      'userId_1_status_-1',
    );
    expect(indexName({ collection: 'c', keys: { title: 'text', sku: 'text' } })).toBe(
      'title_text_sku_text',
    );
  });
});

describe('the validator migration', () => {
  const figure = (name: string) => INVENTORY_VALIDATOR.validator.$jsonSchema.properties[name];

  it('targets the collections the store writes', () => {
    expect(STORE_VALIDATORS.map((validator) => validator.collection)).toEqual([
      STORE_COLLECTIONS.inventory,
      STORE_COLLECTIONS.reservations,
    ]);
  });

  it('requires every inventory field and makes each stock figure a non-negative integer', () => {
    expect(INVENTORY_VALIDATOR.validator.$jsonSchema.required).toEqual(
      expect.arrayContaining([
        'variantId',
        'totalStock',
        'reservedStock',
        'availableStock',
        'version',
        'needsSync',
      ]),
    );
    for (const name of ['totalStock', 'reservedStock', 'availableStock', 'version']) {
      expect(figure(name), name).toMatchObject({ minimum: 0, multipleOf: 1 });
      expect(figure(name).bsonType, name).not.toContain('decimal');
    }
    expect(figure('needsSync')).toEqual({ bsonType: 'bool' });
  });

  it('enforces I1 with $expr: availableStock = totalStock − reservedStock', () => {
    expect(INVENTORY_VALIDATOR.validator.$expr).toEqual({
      $eq: ['$availableStock', { $subtract: ['$totalStock', '$reservedStock'] }],
    });
  });

  it('allows only the known reservation statuses and positive integer quantities', () => {
    const schema = RESERVATIONS_VALIDATOR.validator.$jsonSchema;
    expect(schema.properties.status).toEqual({ enum: [...RESERVATION_STATUSES] });
    expect(schema.properties.quantity).toMatchObject({ minimum: 1, multipleOf: 1 });
    expect(schema.required).toEqual(
      expect.arrayContaining(['userId', 'variantId', 'quantity', 'status', 'expiresAt']),
    );
  });

  it('validates every write (strict) and rejects violations (error)', () => {
    expect(VALIDATION_LEVEL).toBe('strict');
    expect(VALIDATION_ACTION).toBe('error');
  });
});

describe('the migrations folder', () => {
  const folder = path.join(__dirname, '../../src/migrate/migrations');
  const files = readdirSync(folder).sort();

  it('holds only timestamped migrations, the legacy data before the indexes before the validators', () => {
    expect(files.every((file) => /^\d{14}-[a-z0-9-]+\.ts$/.test(file))).toBe(true);
    const position = (what: string) => files.findIndex((file) => file.includes(what));
    expect(position('legacy-inventory')).toBeGreaterThanOrEqual(0);
    expect(position('legacy-inventory')).toBeLessThan(position('store-indexes'));
    expect(position('store-indexes')).toBeLessThan(position('schema-validators'));
  });

  it.each(files)('%s exports up and down', async (file) => {
    const migration = (await import(path.join(folder, file))) as Record<string, unknown>;
    expect(typeof migration.up).toBe('function');
    expect(typeof migration.down).toBe('function');
  });
});
