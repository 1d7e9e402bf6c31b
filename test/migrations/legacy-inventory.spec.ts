import { describe, expect, it } from 'vitest';
import { migrateLegacyInventory, planLegacyDocument } from '../../src/migrate/legacy-inventory';
import { legacyInventoryContract } from './legacy-inventory.contract';
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
      { availableStock: undefined, needsSync: true },
    ],
  ])('plans %o', (document, expected) => {
    const plan = planLegacyDocument({ _id: 'a', ...document });
    expect(plan.ok).toBe(true);
    if (plan.ok)
      for (const [field, value] of Object.entries(expected))
        expect(plan.set[field as keyof typeof plan.set]).toBe(value);
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
  ])('refuses %o', (document, reason) => {
    const plan = planLegacyDocument({ _id: 'a', ...document });
    expect(plan).toEqual({ ok: false, reason: expect.stringContaining(reason) });
  });

  it('rejects a batch size that would never advance', async () => {
    await expect(
      migrateLegacyInventory(new MemoryLegacyInventorySource(), {
        batchSize: 0,
        log: () => undefined,
      }),
    ).rejects.toThrow(/batchSize/);
  });
});
