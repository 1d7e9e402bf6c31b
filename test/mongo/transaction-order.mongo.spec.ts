import { MongoClient, type Document } from 'mongodb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MongoStore } from '../../src/store/mongo/mongo.store';
import { describeWithMongo, uniqueDbName } from './mongo-target';

/**
 * The hot inventory document is written LAST in every hold transaction, so its write lock is held
 * for the shortest time; the ledger movement of the change is written just before it. A replica set records a committed transaction as one `applyOps` oplog
 * entry listing its writes in the order they were made, so that order is read back from there.
 */
describeWithMongo('MongoDB hold transactions write the inventory last', (uri) => {
  const dbName = uniqueDbName('stockhold_order');
  let store: MongoStore;
  let client: MongoClient;
  const now = new Date();

  beforeAll(async () => {
    store = await MongoStore.connect(uri, { autoIndex: true, dbName });
    client = await MongoClient.connect(uri, { serverSelectionTimeoutMS: 5_000 });
  });
  afterAll(async () => {
    await store?.close();
    await client?.db(dbName).dropDatabase();
    await client?.close();
  });

  /** The collections written by this database's latest transaction, in the order written. */
  async function lastTransactionWrites(): Promise<string[]> {
    const [entry] = await client
      .db('local')
      .collection('oplog.rs')
      .find({ op: 'c', 'o.applyOps.ns': { $regex: `^${dbName}\\.` } })
      .sort({ $natural: -1 })
      .limit(1)
      .toArray();
    expect(entry, 'an applyOps oplog entry for the transaction').toBeDefined();
    const operations = (entry.o as { applyOps: Document[] }).applyOps;
    return operations.map((operation) => String(operation.ns).slice(dbName.length + 1));
  }

  async function hold(userId: string, expiresAt = new Date(now.getTime() + 60_000)) {
    const { variant } = await store.createVariant(
      { sku: `order-${userId}`, title: 'Order test', price: 100, stock: 5 },
      now,
    );
    const { reservation } = await store.reserve({
      userId,
      variantId: variant.id,
      quantity: 1,
      now,
      expiresAt,
      maxActiveReservations: 5,
    });
    return reservation;
  }

  it('reserve: hold list, reservation, ledger movement, then inventory', async () => {
    await hold('order-reserve');
    expect(await lastTransactionWrites()).toEqual([
      'userholds',
      'reservations',
      'stockmovements',
      'inventory',
    ]);
  });

  it('commit: reservation, hold list, ledger movement, then inventory', async () => {
    const reservation = await hold('order-commit');
    await store.commitReservation({ reservationId: reservation.id, userId: 'order-commit', now });
    expect(await lastTransactionWrites()).toEqual([
      'reservations',
      'userholds',
      'stockmovements',
      'inventory',
    ]);
  });

  it('release: reservation, hold list, ledger movement, then inventory', async () => {
    const reservation = await hold('order-release');
    await store.releaseReservation({
      reservationId: reservation.id,
      userId: 'order-release',
      reason: 'released',
      now,
    });
    expect(await lastTransactionWrites()).toEqual([
      'reservations',
      'userholds',
      'stockmovements',
      'inventory',
    ]);
  });

  it('expiry: reservation, hold list, ledger movement, then inventory', async () => {
    const reservation = await hold('order-expire', new Date(now.getTime() + 1_000));
    await store.releaseReservation({
      reservationId: reservation.id,
      reason: 'expired',
      now: new Date(now.getTime() + 2_000),
    });
    expect(await lastTransactionWrites()).toEqual([
      'reservations',
      'userholds',
      'stockmovements',
      'inventory',
    ]);
  });

  it('adjustment: ledger movement, then inventory', async () => {
    const { variant } = await store.createVariant(
      { sku: 'order-adjust', title: 'Order test', price: 100, stock: 5 },
      now,
    );
    expect(await lastTransactionWrites()).toEqual(['variants', 'stockmovements', 'inventory']);
    await store.adjustStock({ variantId: variant.id, delta: 3, now });
    expect(await lastTransactionWrites()).toEqual(['stockmovements', 'inventory']);
  });
});
