import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, it } from 'vitest';
import { MongoStore } from '../../src/store/mongo/mongo.store';
import { describeWithMongo, uniqueDbName } from '../mongo/mongo-target';
import { initialStocks, Model, propertySettings, reservationCommands } from './reservation-model';
import { storeSystem } from './store-system';

// The suite of memory.model.spec.ts against MongoDB, wherever a mongod can be had.
describeWithMongo('hold lifecycle against MongoDB (model-based)', (uri) => {
  const dbName = uniqueDbName('stockhold_property');
  let store: MongoStore;

  beforeAll(async () => {
    store = await MongoStore.connect(uri, { autoIndex: true, dbName });
  });

  it('keeps the figures, conservation, caps and terminal states after every step', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(initialStocks, reservationCommands(20), async (stocks, commands) => {
        run += 1;
        const system = await storeSystem(store, stocks, `g${run}-${randomUUID().slice(0, 8)}`);
        await fc.asyncModelRun(() => ({ model: new Model(stocks), real: system }), commands);
      }),
      propertySettings(30),
    );
  }, 120_000);

  afterAll(async () => {
    await store?.close();
    const client = new MongoClient(uri);
    try {
      await client.db(dbName).dropDatabase();
    } finally {
      await client.close();
    }
  });
});
