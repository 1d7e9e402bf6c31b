import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MongoStore } from '../../src/store/mongo/mongo.store';
import { describeWithMongo, uniqueDbName } from './mongo-target';

/**
 * The search sync must never index a version a failover could roll back, so every read it builds
 * a search document from uses read concern `majority`. The database profiler records each command
 * as the server received it, read concern included.
 */
describeWithMongo('MongoDB search-sync reads use read concern majority', (uri) => {
  const dbName = uniqueDbName('stockhold_read_concern');
  let store: MongoStore;
  let client: MongoClient;

  beforeAll(async () => {
    store = await MongoStore.connect(uri, { autoIndex: true, dbName });
    client = await MongoClient.connect(uri, { serverSelectionTimeoutMS: 5_000 });
  });
  afterAll(async () => {
    await store?.close();
    await client?.db(dbName).command({ profile: 0 });
    await client?.db(dbName).dropDatabase();
    await client?.close();
  });

  it('getVariant, getInventory, listVariants and findPendingSyncs read majority-committed data', async () => {
    const now = new Date();
    const { variant } = await store.createVariant(
      { sku: 'read-concern-1', title: 'Read concern', price: 100, stock: 3 },
      now,
    );
    const db = client.db(dbName);
    await db.command({ profile: 2 });
    const profiledSince = new Date();

    await store.getVariant(variant.id);
    await store.getInventory(variant.id);
    await store.listVariants(null, 10);
    await store.findPendingSyncs(10);

    const finds = await db
      .collection('system.profile')
      .find({ ts: { $gte: profiledSince }, 'command.find': { $in: ['variants', 'inventory'] } })
      .toArray();
    // getVariant, getInventory, the walk's two queries, the pending syncs.
    expect(finds.length).toBeGreaterThanOrEqual(5);
    for (const entry of finds) {
      expect(entry.command.readConcern, JSON.stringify(entry.command)).toMatchObject({
        level: 'majority',
      });
    }
  });
});
