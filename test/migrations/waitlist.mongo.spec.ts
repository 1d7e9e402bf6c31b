import { MongoClient, ObjectId, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setMigrationLogSink } from '../../src/migrate/migration-log';
import { down, up } from '../../src/migrate/migrations/20261203000950-waitlist';

// Tests may read the environment directly; only src/ goes through the validated config.
const MONGODB_URI = process.env.MONGODB_URI;

describe.skipIf(!MONGODB_URI)('the waitlist migration against MongoDB (MONGODB_URI)', () => {
  let client: MongoClient;
  let db: Db;
  let restoreLog: () => void;

  beforeAll(async () => {
    restoreLog = setMigrationLogSink(() => undefined);
    client = await MongoClient.connect(MONGODB_URI as string, { serverSelectionTimeoutMS: 5000 });
    db = client.db(`stockhold_waitlist_migration_${new ObjectId().toHexString()}`);
  });
  afterAll(async () => {
    await db?.dropDatabase();
    await client?.close();
    restoreLog?.();
  });

  it('creates the collection and its indexes idempotently; one entry per shopper and variant', async () => {
    await up(db);
    await up(db);
    const entries = db.collection('waitlistentries');
    const names = (await entries.indexes()).map((index) => index.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'userId_variantId_unique',
        'variantId_status_order',
        'waiting_by_expiry',
      ]),
    );
    const variantId = new ObjectId();
    await entries.insertOne({ userId: 'alice', variantId, status: 'waiting' });
    await expect(
      entries.insertOne({ userId: 'alice', variantId, status: 'waiting' }),
    ).rejects.toMatchObject({
      code: 11000,
    });

    await down(db);
    const after = (await entries.indexes()).map((index) => index.name);
    expect(after).toEqual(['_id_']);
  });
});
