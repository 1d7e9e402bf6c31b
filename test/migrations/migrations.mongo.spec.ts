import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { MongoClient, ObjectId, type CollectionInfo, type Db } from 'mongodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { describeWithMongo } from '../mongo/mongo-target';
import { LegacyInventoryMigrationError } from '../../src/migrate/legacy-inventory';
import { MongoLegacyInventorySource } from '../../src/migrate/legacy-inventory.mongo';
import { setMigrationLogSink } from '../../src/migrate/migration-log';
import { EVERY_COLLECTION } from '../../src/migrate/store-collections';
import { INDEXES, indexName } from '../../src/migrate/store-indexes';
import {
  ExistingDocumentsViolateValidatorError,
  INVENTORY_VALIDATOR,
  RESERVATIONS_VALIDATOR,
} from '../../src/migrate/store-validators';
import { legacyInventoryContract } from './legacy-inventory.contract';
import { ALREADY_MIGRATED, INVALID_LEGACY, VALID_LEGACY } from './legacy-inventory.fixture';
import type { StoredDocument } from './memory-legacy-source';

type Migration = { up(db: Db): Promise<void>; down(db: Db): Promise<void> };
const MIGRATIONS_DIR = path.join(__dirname, '../../src/migrate/migrations');
const DOCUMENT_VALIDATION_FAILURE = 121;

const toMongo = (document: StoredDocument) => ({ ...document, _id: new ObjectId(document._id) });
const fromMongo = (document: Record<string, unknown>) =>
  ({ ...document, _id: (document._id as ObjectId).toHexString() }) as StoredDocument;

// On the first MongoDB that can be had (MONGODB_URI, MONGOMS_SYSTEM_BINARY, or the download).
describeWithMongo('migrations against MongoDB', (uri) => {
  let client: MongoClient;
  let db: Db;
  let restoreLog: () => void;
  const inventory = () => db.collection('inventory');

  beforeAll(async () => {
    restoreLog = setMigrationLogSink(() => undefined);
    client = await MongoClient.connect(uri, { serverSelectionTimeoutMS: 5000 });
    // A database of its own, so a shared server's data is never touched.
    db = client.db(`stockhold_migrations_test_${new ObjectId().toHexString()}`);
  });
  afterAll(async () => {
    await db?.dropDatabase();
    await client?.close();
    restoreLog?.();
  });

  legacyInventoryContract('MongoDB', () => ({
    load: async (documents) => {
      // Dropped, not emptied: no validator or index of another test may linger.
      await inventory()
        .drop()
        .catch(() => undefined);
      if (documents.length > 0) await inventory().insertMany(documents.map(toMongo));
    },
    source: () => new MongoLegacyInventorySource(inventory()),
    snapshot: async () => (await inventory().find().sort({ _id: 1 }).toArray()).map(fromMongo),
    update: async (id, set) => {
      await inventory().updateOne({ _id: new ObjectId(id) }, { $set: set });
    },
  }));

  describe('the migrations in order', () => {
    let migrations: Migration[];
    beforeAll(async () => {
      const files = readdirSync(MIGRATIONS_DIR).sort();
      migrations = await Promise.all(
        files.map(async (file) => (await import(path.join(MIGRATIONS_DIR, file))) as Migration),
      );
    });
    beforeEach(async () => {
      await db.dropDatabase();
    });

    const upAll = async () => {
      for (const migration of migrations) await migration.up(db);
    };
    const downAll = async () => {
      for (const migration of [...migrations].reverse()) await migration.down(db);
    };
    const options = async (name: string) => {
      const [info] = (await db.listCollections({ name }).toArray()) as CollectionInfo[];
      return info?.options ?? {};
    };
    const rejectedByValidator = async (write: Promise<unknown>) =>
      expect(
        await write.then(
          () => 'accepted',
          (error: { code?: number }) => error.code,
        ),
      ).toBe(DOCUMENT_VALIDATION_FAILURE);

    it('take legacy data to the guarded model, and down undoes every step', async () => {
      await inventory().insertMany([
        ...VALID_LEGACY.map((entry) => toMongo(entry.document)),
        toMongo(ALREADY_MIGRATED),
      ]);
      await upAll();

      const first = await inventory().findOne({ _id: new ObjectId(VALID_LEGACY[0].document._id) });
      expect(first).toMatchObject({
        totalStock: 10,
        reservedStock: 3,
        availableStock: 7,
        version: 0,
        needsSync: true,
      });

      for (const index of INDEXES) {
        const found = (await db.collection(index.collection).indexes()).find(
          (each) => each.name === indexName(index),
        );
        expect(found, `${index.collection}.${indexName(index)}`).toMatchObject({ key: index.keys });
        expect(found?.unique ?? false).toBe(index.options?.unique ?? false);
        expect(found?.partialFilterExpression).toEqual(index.options?.partialFilterExpression);
      }

      expect(await options('inventory')).toMatchObject({
        validator: INVENTORY_VALIDATOR.validator,
        validationLevel: 'strict',
      });
      expect(await options('reservations')).toMatchObject({
        validator: RESERVATIONS_VALIDATOR.validator,
      });

      const good = {
        variantId: new ObjectId(),
        totalStock: 5,
        reservedStock: 2,
        availableStock: 3,
        version: 0,
        needsSync: false,
        updatedAt: new Date(),
      };
      await inventory().insertOne({ ...good });
      const { updatedAt: _updatedAt, ...undated } = good;
      await rejectedByValidator(inventory().insertOne({ ...undated, variantId: new ObjectId() }));
      await rejectedByValidator(
        inventory().insertOne({ ...good, variantId: new ObjectId().toHexString() }),
      );
      await rejectedByValidator(
        inventory().insertOne({ ...good, variantId: new ObjectId(), availableStock: 4 }),
      );
      await rejectedByValidator(
        inventory().insertOne({
          ...good,
          variantId: new ObjectId(),
          totalStock: 1,
          reservedStock: 2,
          availableStock: -1,
        }),
      );
      await rejectedByValidator(
        inventory().insertOne({
          ...good,
          variantId: new ObjectId(),
          totalStock: 5.5,
          availableStock: 3.5,
        }),
      );
      // The hot path's update, pushed past zero: MongoDB itself refuses the oversell.
      await rejectedByValidator(
        inventory().updateOne(
          { variantId: good.variantId },
          { $inc: { availableStock: -4, reservedStock: 4, version: 1 } },
        ),
      );
      await inventory().updateOne(
        { variantId: good.variantId },
        { $inc: { availableStock: -3, reservedStock: 3, version: 1 } },
      );

      const reservation = {
        userId: 'alice',
        variantId: good.variantId,
        quantity: 1,
        status: 'active',
        expiresAt: new Date(),
      };
      await db.collection('reservations').insertOne({ ...reservation });
      await rejectedByValidator(
        db.collection('reservations').insertOne({ ...reservation, status: 'pending' }),
      );
      await rejectedByValidator(
        db.collection('reservations').insertOne({ ...reservation, quantity: 0 }),
      );

      await upAll(); // every step is idempotent

      await downAll();
      expect((await options('inventory')).validator ?? {}).toEqual({});
      expect((await options('reservations')).validator ?? {}).toEqual({});
      for (const index of INDEXES) {
        const names = (await db.collection(index.collection).indexes()).map((each) => each.name);
        expect(names).not.toContain(indexName(index));
      }
      const reverted = await inventory().findOne({
        _id: new ObjectId(VALID_LEGACY[3].document._id),
      });
      expect(reverted).not.toHaveProperty('availableStock');
      expect(reverted).not.toHaveProperty('needsSync');
      expect(reverted).toMatchObject({ totalStock: 8, reservedStock: 2, version: 41 });
    });

    it('stop at invalid legacy documents, listing them, with no negative written and nothing after run', async () => {
      await inventory().insertMany([
        ...VALID_LEGACY.map((entry) => toMongo(entry.document)),
        ...INVALID_LEGACY.map((entry) => toMongo(entry.document)),
      ]);
      const failure = await upAll().catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(LegacyInventoryMigrationError);
      for (const { document } of INVALID_LEGACY)
        expect((failure as Error).message).toContain(document._id);
      expect(
        await inventory().countDocuments({
          $or: [{ availableStock: { $lt: 0 } }, { totalStock: { $lt: 0 }, needsSync: true }],
        }),
      ).toBe(0);
      expect((await options('inventory')).validator).toBeUndefined();
    });

    it('refuse to switch validators on while a document violates them', async () => {
      const broken = {
        _id: new ObjectId(),
        variantId: new ObjectId(),
        totalStock: 5,
        reservedStock: 1,
        availableStock: 5,
        version: 2,
        needsSync: false,
        updatedAt: new Date(),
      };
      await inventory().insertOne(broken);
      // Not legacy (every field is there), so only the validator step can catch it, and must.
      const failure = await upAll().catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(ExistingDocumentsViolateValidatorError);
      expect((failure as Error).message).toContain(broken._id.toHexString());
      expect((await options('inventory')).validator).toBeUndefined();
    });

    it('bring a database migrated by the earlier walk up to date: updatedAt filled in, then required', async () => {
      const earlier = {
        _id: new ObjectId(),
        variantId: new ObjectId(),
        totalStock: 4,
        reservedStock: 1,
        availableStock: 3,
        version: 7,
        needsSync: false,
      };
      await inventory().insertOne(earlier);
      await upAll();
      const after = await inventory().findOne({ _id: earlier._id });
      expect(after?.updatedAt).toBeInstanceOf(Date);
      expect(after).toMatchObject({ version: 7, needsSync: true });
      const { _id: _earlierId, ...fields } = earlier;
      await rejectedByValidator(inventory().insertOne({ ...fields, variantId: new ObjectId() }));
    });

    it('create every collection the service uses, userholds included', async () => {
      await upAll();
      const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map(
        (info) => info.name,
      );
      expect(names).toEqual(expect.arrayContaining([...EVERY_COLLECTION]));
    });

    it('guard a fresh, empty database from its first write', async () => {
      await upAll();
      expect((await options('inventory')).validator).toMatchObject(INVENTORY_VALIDATOR.validator);
      await rejectedByValidator(
        inventory().insertOne({
          variantId: new ObjectId(),
          totalStock: -1,
          reservedStock: 0,
          availableStock: -1,
          version: 0,
          needsSync: true,
        }),
      );
    });
  });
});
