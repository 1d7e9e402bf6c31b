import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createVariant, startTestApp, type TestApp } from '../helpers/test-app';
import { describeWithMongo, uniqueDbName } from './mongo-target';

/**
 * The service's own wiring: MongooseModule opens the connection and compiles the models, the
 * store is built over them, readiness pings it, a hold goes through its transactions, and closing
 * the app closes the connection.
 */
describeWithMongo('the app on MongooseModule', (uri) => {
  const dbName = uniqueDbName('stockhold_nest');
  let api: TestApp;

  beforeAll(async () => {
    api = await startTestApp({
      store: { mongodb: { uri, autoIndex: true, verifySchema: false, dbName } },
    });
  });
  afterAll(async () => {
    await api?.close();
    const client = await MongoClient.connect(uri, { serverSelectionTimeoutMS: 5_000 });
    await client.db(dbName).dropDatabase();
    await client.close();
  });

  it('is ready, holds stock in MongoDB and reconciles clean', async () => {
    const ready = await api.request('GET', '/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.checks.store).toMatchObject({ ok: true, detail: 'mongodb' });

    const variantId = await createVariant(api, 3);
    const hold = await api.request('POST', '/v1/reservations', {
      token: api.token('nest-shopper'),
      body: { variantId, quantity: 2 },
    });
    expect(hold.status).toBe(201);

    const client = await MongoClient.connect(uri, { serverSelectionTimeoutMS: 5_000 });
    try {
      const inventory = await client
        .db(dbName)
        .collection('inventory')
        .findOne({}, { sort: { _id: -1 } });
      expect(inventory).toMatchObject({ totalStock: 3, reservedStock: 2, availableStock: 1 });
      expect(await client.db(dbName).collection('userholds').countDocuments()).toBe(1);
    } finally {
      await client.close();
    }

    const reconcile = await api.request('GET', '/v1/admin/reconcile', {
      token: api.token('admin', { admin: true }),
    });
    expect(reconcile.body).toMatchObject({ ok: true });
  });
});
