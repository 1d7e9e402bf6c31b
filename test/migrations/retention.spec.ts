import { describe, expect, it } from 'vitest';
import { planRetention } from '../../src/migrate/retention-index';
import { retentionIndex } from '../../src/store/mongo/mongo.schemas';

describe('the retention of ended reservations (TTL index)', () => {
  it('deletes only released and expired reservations, RETENTION_DAYS after they ended', () => {
    expect(retentionIndex(30)).toEqual({
      collection: 'reservations',
      keys: { endedAt: 1 },
      options: {
        name: 'ended_retention',
        expireAfterSeconds: 2_592_000,
        partialFilterExpression: { status: { $in: ['released', 'expired'] } },
      },
    });
    expect(retentionIndex(0)).toBeNull();
  });

  it('creates, retimes or drops the index so it matches RETENTION_DAYS', () => {
    const listed = (days: number) => ({
      name: 'ended_retention',
      key: { endedAt: 1 },
      expireAfterSeconds: days * 86_400,
    });
    expect(planRetention(undefined, 30)).toEqual({ kind: 'create', expireAfterSeconds: 2_592_000 });
    expect(planRetention(listed(30), 30)).toEqual({ kind: 'none' });
    expect(planRetention(listed(30), 7)).toEqual({
      kind: 'modify',
      from: 2_592_000,
      expireAfterSeconds: 604_800,
    });
    expect(planRetention(listed(30), 0)).toEqual({ kind: 'drop' });
    expect(planRetention(undefined, 0)).toEqual({ kind: 'none' });
  });
});
