import { describe, expect, it } from 'vitest';
import { EVERY_COLLECTION } from '../../src/migrate/store-collections';
import { WAITLIST_INDEX_DEFINITIONS } from '../../src/migrate/store-indexes';
import { EXPECTED_SCHEMA } from '../../src/store/mongo/schema-check';

describe('the waitlist migration', () => {
  it('creates the waitlistentries indexes the hand-over relies on, which start-up checks', () => {
    expect(WAITLIST_INDEX_DEFINITIONS.map((index) => [index.keys, index.options])).toEqual([
      [
        { userId: 1, variantId: 1 },
        { name: 'userId_variantId_unique', unique: true },
      ],
      [{ variantId: 1, status: 1, order: 1 }, { name: 'variantId_status_order' }],
      [
        { status: 1, expiresAt: 1 },
        { name: 'waiting_by_expiry', partialFilterExpression: { status: 'waiting' } },
      ],
    ]);
    expect(EXPECTED_SCHEMA.indexes).toEqual(
      expect.arrayContaining([...WAITLIST_INDEX_DEFINITIONS]),
    );
    expect(EXPECTED_SCHEMA.collections).toContain('waitlistentries');
    expect(EVERY_COLLECTION).toContain('waitlistentries');
  });
});
