import { MongoClient } from 'mongodb';
import { afterAll, describe, it } from 'vitest';
import { MongoStore } from '../../src/store/mongo/mongo.store';
import { findMongo, uniqueDbName } from '../mongo/mongo-target';
import { describeCartContract } from './cart.contract';
import { describeLedgerContract } from './ledger.contract';
import { describeStoreContract } from './store.contract';
import { describeWaitlistContract } from './waitlist.contract';
import { describeWebhooksContract } from './webhooks.contract';

/**
 * The store contract against MongoDB, on the first MongoDB that can be had (see
 * test/mongo/mongo-target.ts); skipped with a one-line reason where there is none.
 */
// Vitest awaits an async suite factory while collecting, so the MongoDB is found (or not) before
// any test is declared; the project compiles to CommonJS, which rules out a top-level await.
describe('MongoStore contract', async () => {
  const target = await findMongo();

  if (target.kind === 'skip') {
    describe.skip(`skipped: ${target.reason}`, () => {
      it('runs the store contract against MongoDB', () => undefined);
    });
    return;
  }
  if (target.kind === 'broken') {
    it('reaches the configured MongoDB', () => {
      throw target.error;
    });
    return;
  }

  // One database per run, so runs never see each other's data; dropped at the end.
  const dbName = uniqueDbName('stockhold_contract');

  describeStoreContract('MongoStore', async () => {
    const store = await MongoStore.connect(target.uri, { autoIndex: true, dbName });
    return {
      store,
      cleanup: () => store.close(),
      corrupt: (variantId, patch) => store.corruptInventoryForTest(variantId, patch),
    };
  });

  describeCartContract('MongoStore', async () => {
    const store = await MongoStore.connect(target.uri, { autoIndex: true, dbName });
    return { store, cleanup: () => store.close() };
  });

  describeLedgerContract('MongoStore', async () => {
    const store = await MongoStore.connect(target.uri, { autoIndex: true, dbName });
    return {
      store,
      cleanup: () => store.close(),
      corrupt: (variantId, patch) => store.corruptInventoryForTest(variantId, patch),
    };
  });

  describeWaitlistContract('MongoStore', async () => {
    const store = await MongoStore.connect(target.uri, { autoIndex: true, dbName });
    return { store, cleanup: () => store.close() };
  });

  describeWebhooksContract('MongoStore', async () => {
    const store = await MongoStore.connect(target.uri, { autoIndex: true, dbName });
    return { store, cleanup: () => store.close() };
  });

  afterAll(async () => {
    const client = new MongoClient(target.uri);
    try {
      await client.db(dbName).dropDatabase();
    } finally {
      await client.close();
      await target.stop();
    }
  });
});
