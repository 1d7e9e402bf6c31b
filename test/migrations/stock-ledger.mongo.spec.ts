import { MongoClient, ObjectId, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setMigrationLogSink } from '../../src/migrate/migration-log';
import { down, up } from '../../src/migrate/migrations/20261203000600-stock-ledger';

// Tests may read the environment directly; only src/ goes through the validated config.
const MONGODB_URI = process.env.MONGODB_URI;

describe.skipIf(!MONGODB_URI)('the stock-ledger migration against MongoDB (MONGODB_URI)', () => {
  let client: MongoClient;
  let db: Db;
  let restoreLog: () => void;

  beforeAll(async () => {
    restoreLog = setMigrationLogSink(() => undefined);
    client = await MongoClient.connect(MONGODB_URI as string, { serverSelectionTimeoutMS: 5000 });
    db = client.db(`stockhold_ledger_migration_${new ObjectId().toHexString()}`);
  });
  afterAll(async () => {
    await db?.dropDatabase();
    await client?.close();
    restoreLog?.();
  });

  it('writes one opening balance per variant without movements, idempotently, and down drops the index', async () => {
    const [old, recorded] = [new ObjectId(), new ObjectId()];
    await db.collection('inventory').insertMany([
      { variantId: old, totalStock: 7, reservedStock: 2, availableStock: 5, version: 12 },
      { variantId: recorded, totalStock: 1, reservedStock: 0, availableStock: 1, version: 1 },
    ]);
    const first = { variantId: recorded, seq: 1, type: 'created', actor: 'admin' };
    await db.collection('stockmovements').insertOne(first);

    await up(db);
    await up(db);

    const movements = await db.collection('stockmovements').find({ variantId: old }).toArray();
    expect(movements).toHaveLength(1);
    expect(movements[0]).toMatchObject({
      seq: 12,
      type: 'created',
      delta: { total: 7, reserved: 2, available: 5 },
      after: { total: 7, reserved: 2, available: 5 },
      actor: 'migration',
    });
    expect(await db.collection('stockmovements').countDocuments({ variantId: recorded })).toBe(1);
    const names = (await db.collection('stockmovements').indexes()).map((index) => index.name);
    expect(names).toContain('variantId_seq_unique');

    await down(db);
    const after = (await db.collection('stockmovements').indexes()).map((index) => index.name);
    expect(after).not.toContain('variantId_seq_unique');
  });
});
