import { ObjectId } from 'mongodb';
import { expect, it } from 'vitest';
import { down, up } from '../../src/migrate/migrations/20261203000500-cart-indexes';
import { CART_INDEX_DEFINITIONS, indexName } from '../../src/migrate/store-indexes';
import { describeWithMongoDb } from '../mongo/mongo-target';

// On the first MongoDB that can be had (MONGODB_URI, MONGOMS_SYSTEM_BINARY, or the download).
describeWithMongoDb(
  'the cart-indexes migration against MongoDB',
  'stockhold_cart_migration',
  (db) => {
    it('creates its indexes, counts earlier active and committed units, and down drops the indexes', async () => {
      const v1 = new ObjectId();
      const v2 = new ObjectId();
      const reservation = (
        userId: string,
        variantId: ObjectId,
        quantity: number,
        status: string,
      ) => ({
        userId,
        variantId,
        quantity,
        status,
        expiresAt: new Date(),
      });
      await db()
        .collection('reservations')
        .insertMany([
          reservation('alice', v1, 2, 'committed'),
          reservation('alice', v1, 1, 'active'),
          reservation('alice', v1, 5, 'released'),
          reservation('alice', v2, 3, 'expired'),
          reservation('bob', v1, 4, 'active'),
        ]);
      await up(db());
      await up(db()); // idempotent: a recount, not a second addition

      const counts = await db()
        .collection('purchasecounts')
        .find({}, { projection: { _id: 0 } })
        .sort({ userId: 1 })
        .toArray();
      expect(counts).toEqual([
        { userId: 'alice', variantId: v1, units: 3 },
        { userId: 'bob', variantId: v1, units: 4 },
      ]);
      for (const index of CART_INDEX_DEFINITIONS) {
        const names = (await db().collection(index.collection).indexes()).map((each) => each.name);
        expect(names).toContain(indexName(index));
      }

      await down(db());
      for (const index of CART_INDEX_DEFINITIONS) {
        const names = (await db().collection(index.collection).indexes()).map((each) => each.name);
        expect(names).not.toContain(indexName(index));
      }
    });
  },
);
