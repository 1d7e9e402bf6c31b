import { ObjectId } from 'mongodb';
import { expect, it } from 'vitest';
import { down, up } from '../../src/migrate/migrations/20261203000600-stock-ledger';
import { describeWithMongoDb } from '../mongo/mongo-target';

// On the first MongoDB that can be had (MONGODB_URI, MONGOMS_SYSTEM_BINARY, or the download).
describeWithMongoDb(
  'the stock-ledger migration against MongoDB',
  'stockhold_ledger_migration',
  (db) => {
    it('writes one opening balance per variant without movements, idempotently, and down drops the index', async () => {
      const [old, recorded] = [new ObjectId(), new ObjectId()];
      await db()
        .collection('inventory')
        .insertMany([
          { variantId: old, totalStock: 7, reservedStock: 2, availableStock: 5, version: 12 },
          { variantId: recorded, totalStock: 1, reservedStock: 0, availableStock: 1, version: 1 },
        ]);
      const first = { variantId: recorded, seq: 1, type: 'created', actor: 'admin' };
      await db().collection('stockmovements').insertOne(first);

      await up(db());
      await up(db());

      const movements = await db().collection('stockmovements').find({ variantId: old }).toArray();
      expect(movements).toHaveLength(1);
      expect(movements[0]).toMatchObject({
        seq: 12,
        type: 'created',
        delta: { total: 7, reserved: 2, available: 5 },
        after: { total: 7, reserved: 2, available: 5 },
        actor: 'migration',
      });
      expect(await db().collection('stockmovements').countDocuments({ variantId: recorded })).toBe(
        1,
      );
      const names = (await db().collection('stockmovements').indexes()).map((index) => index.name);
      expect(names).toContain('variantId_seq_unique');

      await down(db());
      const after = (await db().collection('stockmovements').indexes()).map((index) => index.name);
      expect(after).not.toContain('variantId_seq_unique');
    });
  },
);
