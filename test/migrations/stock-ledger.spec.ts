import { describe, expect, it } from 'vitest';
import { EVERY_COLLECTION } from '../../src/migrate/store-collections';
import { LEDGER_INDEX_DEFINITIONS } from '../../src/migrate/store-indexes';
import { EXPECTED_SCHEMA } from '../../src/store/mongo/schema-check';

describe('the stock-ledger migration', () => {
  it('creates the unique {variantId, seq} index the ledger relies on, which start-up checks', () => {
    expect(LEDGER_INDEX_DEFINITIONS).toEqual([
      {
        collection: 'stockmovements',
        keys: { variantId: 1, seq: 1 },
        options: { name: 'variantId_seq_unique', unique: true },
      },
    ]);
    expect(EXPECTED_SCHEMA.indexes).toEqual(expect.arrayContaining([...LEDGER_INDEX_DEFINITIONS]));
    expect(EXPECTED_SCHEMA.collections).toContain('stockmovements');
    expect(EVERY_COLLECTION).toContain('stockmovements');
  });
});
