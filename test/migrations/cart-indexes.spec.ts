import { describe, expect, it } from 'vitest';
import { PURCHASE_COUNT_PIPELINE } from '../../src/migrate/purchase-counts';
import { CART_INDEX_DEFINITIONS, INDEXES, indexName } from '../../src/migrate/store-indexes';

describe('the cart-indexes migration', () => {
  const describeIndex = (index: (typeof CART_INDEX_DEFINITIONS)[number]) =>
    JSON.stringify([index.collection, index.keys, index.options?.unique === true]);

  it('creates the groupId, cart idempotency and purchase-counter indexes', () => {
    expect(CART_INDEX_DEFINITIONS.map(describeIndex)).toEqual([
      JSON.stringify(['reservations', { groupId: 1 }, false]),
      JSON.stringify(['cartgroups', { userId: 1, idempotencyKey: 1 }, true]),
      JSON.stringify(['purchasecounts', { userId: 1, variantId: 1 }, true]),
    ]);
    const groupIndex = CART_INDEX_DEFINITIONS[0];
    expect(groupIndex.options?.partialFilterExpression).toEqual({ groupId: { $exists: true } });
  });

  it('names none the same as an index of the earlier store migration on the same collection', () => {
    const earlier = new Set(INDEXES.map((index) => `${index.collection}.${indexName(index)}`));
    for (const index of CART_INDEX_DEFINITIONS) {
      expect(earlier.has(`${index.collection}.${indexName(index)}`)).toBe(false);
    }
  });

  it('recounts purchases on the unique purchase-counter key, active and committed units only', () => {
    const counter = CART_INDEX_DEFINITIONS.find((index) => index.collection === 'purchasecounts');
    const merge = PURCHASE_COUNT_PIPELINE.at(-1) as { $merge: { on: string[]; into: string } };
    expect(merge.$merge.into).toBe('purchasecounts');
    expect(merge.$merge.on).toEqual(Object.keys(counter!.keys));
    expect(PURCHASE_COUNT_PIPELINE[0]).toEqual({
      $match: { status: { $in: ['active', 'committed'] } },
    });
  });
});
