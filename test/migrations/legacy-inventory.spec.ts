import { describe, expect, it } from 'vitest';
import { migrateLegacyInventory, planLegacyDocument } from '../../src/migrate/legacy-inventory';
import { legacyInventoryContract } from './legacy-inventory.contract';
import { EARLIER, MIGRATION_NOW, variantOid } from './legacy-inventory.fixture';
import { MemoryLegacyInventorySource } from './memory-legacy-source';

legacyInventoryContract('in memory', () => {
  const source = new MemoryLegacyInventorySource();
  return {
    load: async (documents) => source.load(documents),
    source: () => source,
    snapshot: async () => source.snapshot(),
    update: async (id, set) => {
      Object.assign(source.documents.get(id) ?? {}, set);
    },
  };
});

describe('planLegacyDocument', () => {
  it.each([
    [
      { totalStock: 3, reservedStock: 1 },
      { availableStock: 2, version: 0, needsSync: true },
    ],
    [
      { totalStock: 3, reservedStock: 1, version: 7 },
      { version: undefined, availableStock: 2 },
    ],
    [
      { totalStock: 3, reservedStock: 1, availableStock: 2, version: 0 },
      { availableStock: undefined, needsSync: true, updatedAt: MIGRATION_NOW },
    ],
    [
      { totalStock: 3, reservedStock: 1, availableStock: 2, version: 0, updatedAt: EARLIER },
      { updatedAt: undefined, needsSync: true },
    ],
  ])('plans %o', (document, expected) => {
    const plan = planLegacyDocument(
      { _id: 'a', variantId: variantOid(1), ...document },
      MIGRATION_NOW,
    );
    expect(plan.ok).toBe(true);
    if (plan.ok)
      for (const [field, value] of Object.entries(expected))
        expect(plan.set[field as keyof typeof plan.set]).toEqual(value);
  });

  it.each([
    [{ totalStock: -0.5, reservedStock: 0 }, 'totalStock is not an integer (-0.5)'],
    [
      { totalStock: Number.POSITIVE_INFINITY, reservedStock: 0 },
      'totalStock is not an integer (Infinity)',
    ],
    [{ totalStock: 2 ** 60, reservedStock: 0 }, 'totalStock is too large'],
    [{ totalStock: true, reservedStock: 0 }, 'totalStock is not a number (true)'],
    [
      { totalStock: { $numberDecimal: '1' }, reservedStock: 0 },
      'totalStock is not a number (Object)',
    ],
    [{ totalStock: 4, reservedStock: 1, availableStock: -3 }, 'availableStock is negative (-3)'],
    [{ totalStock: 4, reservedStock: 1, version: 1.5 }, 'version is not an integer (1.5)'],
    [{ totalStock: 4, reservedStock: 1, version: '2' }, 'version is not a number ("2")'],
    [
      { totalStock: 4, reservedStock: 1, variantId: 'f00000000000000000000001' },
      'variantId is not an ObjectId ("f00000000000000000000001")',
    ],
    [{ totalStock: 4, reservedStock: 1, variantId: null }, 'variantId is missing'],
    [
      { totalStock: 4, reservedStock: 1, updatedAt: new Date(Number.NaN) },
      'updatedAt is not a date (Date)',
    ],
    [{ totalStock: 4, reservedStock: 1, updatedAt: 1700000000000 }, 'updatedAt is not a date'],
  ])('refuses %o', (document, reason) => {
    const plan = planLegacyDocument(
      { _id: 'a', variantId: variantOid(1), ...document },
      MIGRATION_NOW,
    );
    expect(plan).toEqual({ ok: false, reason: expect.stringContaining(reason) });
  });

  it('copies the run time into updatedAt, so a later change to the run time leaves the plan alone', () => {
    const now = new Date(MIGRATION_NOW.getTime());
    const plan = planLegacyDocument(
      { _id: 'a', variantId: variantOid(1), totalStock: 1, reservedStock: 0 },
      now,
    );
    now.setTime(0);
    expect(plan.ok && plan.set.updatedAt).toEqual(MIGRATION_NOW);
  });

  it('rejects a batch size that would never advance', async () => {
    await expect(
      migrateLegacyInventory(new MemoryLegacyInventorySource(), {
        batchSize: 0,
        log: () => undefined,
        now: MIGRATION_NOW,
      }),
    ).rejects.toThrow(/batchSize/);
  });
});
