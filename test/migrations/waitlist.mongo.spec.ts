import { ObjectId } from 'mongodb';
import { expect, it } from 'vitest';
import { down, up } from '../../src/migrate/migrations/20261203000950-waitlist';
import { describeWithMongoDb } from '../mongo/mongo-target';

// On the first MongoDB that can be had (MONGODB_URI, MONGOMS_SYSTEM_BINARY, or the download).
describeWithMongoDb(
  'the waitlist migration against MongoDB',
  'stockhold_waitlist_migration',
  (db) => {
    it('creates the collection and its indexes idempotently; one entry per shopper and variant', async () => {
      await up(db());
      await up(db());
      const entries = db().collection('waitlistentries');
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

      await down(db());
      const after = (await entries.indexes()).map((index) => index.name);
      expect(after).toEqual(['_id_']);
    });
  },
);
