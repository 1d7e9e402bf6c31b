import { beforeAll, expect, it } from 'vitest';
import { applyRetention } from '../../src/migrate/retention-index';
import { verifySchema } from '../../src/store/mongo/schema-check';
import { describeWithMongoDb } from '../mongo/mongo-target';

// On the first MongoDB that can be had (MONGODB_URI, MONGOMS_SYSTEM_BINARY, or the download).
describeWithMongoDb(
  'retention of ended reservations against MongoDB',
  'stockhold_retention',
  (db) => {
    beforeAll(async () => {
      await db().createCollection('reservations');
    });

    const ttl = async () =>
      (await db().collection('reservations').listIndexes().toArray()).find(
        (index) => index.name === 'ended_retention',
      );

    it('creates the partial TTL index, retimes it in place with collMod, and drops it with 0', async () => {
      expect(await applyRetention(db(), 30)).toMatch(/30 days/);
      expect(await ttl()).toMatchObject({
        key: { endedAt: 1 },
        expireAfterSeconds: 30 * 86_400,
        partialFilterExpression: { status: { $in: ['released', 'expired'] } },
      });
      expect(await applyRetention(db(), 30)).toBeNull();

      await expect(verifySchema(db(), 7)).rejects.toThrow(
        /ended_retention differs \(expireAfterSeconds 2592000 s = 30 days, the configuration asks 604800 s = 7 days\)[\s\S]*npm run migrate/,
      );
      expect(await applyRetention(db(), 7)).toBe('retention: changed from 30 to 7 days');
      expect((await ttl())?.expireAfterSeconds).toBe(7 * 86_400);

      await applyRetention(db(), 0);
      expect(await ttl()).toBeUndefined();
    });
  },
);
