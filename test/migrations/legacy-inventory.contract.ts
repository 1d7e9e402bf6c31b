import { beforeEach, describe, expect, it } from 'vitest';
import {
  LegacyInventoryMigrationError,
  migrateLegacyInventory,
  migrateLegacyInventoryOrFail,
  type LegacyInventorySource,
  type LegacyMigrationOptions,
} from '../../src/migrate/legacy-inventory';
import {
  ALREADY_MIGRATED,
  INVALID_LEGACY,
  VALID_LEGACY,
  legacyFixture,
  legacyId,
  manyLegacy,
  MIGRATION_NOW,
  variantOid,
} from './legacy-inventory.fixture';
import type { StoredDocument } from './memory-legacy-source';

/** What the shared legacy-migration suite needs from a storage backend. */
export interface LegacyHarness {
  /** Replaces the inventory collection's content (ids are 24-hex strings). */
  load(documents: StoredDocument[]): Promise<void>;
  source(): LegacyInventorySource<unknown>;
  /** Every document, ids back as 24-hex strings, in _id order. */
  snapshot(): Promise<StoredDocument[]>;
  /** A write by someone else, as a live writer would make it. */
  update(id: string, set: Record<string, unknown>): Promise<void>;
}

/** Applies writes one at a time and throws after `writes` of them: a process killed mid-batch. */
export function crashingAfter(
  source: LegacyInventorySource<unknown>,
  writes: number,
): LegacyInventorySource<unknown> {
  let done = 0;
  return {
    findBatch: (afterId, limit) => source.findBatch(afterId, limit),
    countRemaining: () => source.countRemaining(),
    async applyBatch(updates) {
      let matched = 0;
      for (const update of updates) {
        if (done >= writes) throw new Error(`simulated crash after ${done} writes`);
        matched += await source.applyBatch([update]);
        done += 1;
      }
      return matched;
    },
  };
}

const quiet = (batchSize = 4): LegacyMigrationOptions => ({
  batchSize,
  log: () => undefined,
  now: MIGRATION_NOW,
});

function byId(documents: StoredDocument[]): Map<string, StoredDocument> {
  return new Map(documents.map((document) => [document._id, document]));
}

const STOCK_FIELDS = ['totalStock', 'reservedStock', 'availableStock', 'version'];

/** The legacy data migration's behaviour, against any backend that implements its interface. */
export function legacyInventoryContract(name: string, makeHarness: () => LegacyHarness): void {
  describe(`legacy inventory migration (${name})`, () => {
    let harness: LegacyHarness;
    beforeEach(async () => {
      harness = makeHarness();
      await harness.load(legacyFixture());
    });

    it('adds availableStock, version, updatedAt and needsSync to valid legacy documents, with the right figures', async () => {
      const result = await migrateLegacyInventory(harness.source(), quiet());
      const after = byId(await harness.snapshot());
      for (const { document, expected } of VALID_LEGACY) {
        expect(after.get(document._id), document._id).toMatchObject({
          ...expected,
          variantId: document.variantId,
        });
      }
      expect(after.get(ALREADY_MIGRATED._id)).toEqual(ALREADY_MIGRATED);
      expect(result.migrated).toBe(VALID_LEGACY.length);
      expect(result.scanned).toBe(VALID_LEGACY.length + INVALID_LEGACY.length);
    });

    it('refuses every invalid document, listing its id and reason, and leaves it exactly as it was', async () => {
      const result = await migrateLegacyInventory(harness.source(), quiet());
      expect(result.refused).toEqual(
        INVALID_LEGACY.map(({ document, reason }) => ({
          id: document._id,
          reason: expect.stringContaining(reason),
        })),
      );
      const after = byId(await harness.snapshot());
      for (const { document } of INVALID_LEGACY) expect(after.get(document._id)).toEqual(document);
    });

    it('never writes a negative or fractional figure', async () => {
      await migrateLegacyInventory(harness.source(), quiet());
      const written = (await harness.snapshot()).filter((document) => document.needsSync === true);
      expect(written.length).toBe(VALID_LEGACY.length);
      for (const document of written) {
        for (const field of STOCK_FIELDS) {
          const value = document[field] as number;
          expect(Number.isInteger(value) && value >= 0, `${document._id}.${field} = ${value}`).toBe(
            true,
          );
        }
        expect(document.availableStock).toBe(
          (document.totalStock as number) - (document.reservedStock as number),
        );
      }
    });

    it('fails the run with a message naming each refused id, after migrating the valid ones', async () => {
      const failure = await migrateLegacyInventoryOrFail(harness.source(), quiet()).catch(
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(LegacyInventoryMigrationError);
      const message = (failure as Error).message;
      expect(message).toContain(`${INVALID_LEGACY.length} inventory documents cannot be migrated`);
      for (const { document, reason } of INVALID_LEGACY)
        expect(message).toContain(`${document._id} (${reason}`);
      expect(message).toMatch(/run the migration again/);
      const after = byId(await harness.snapshot());
      expect(after.get(VALID_LEGACY[0].document._id)?.availableStock).toBe(7);
    });

    it('is idempotent: a second run changes nothing and refuses the same documents', async () => {
      const first = await migrateLegacyInventory(harness.source(), quiet());
      const before = await harness.snapshot();
      const second = await migrateLegacyInventory(harness.source(), quiet());
      expect(await harness.snapshot()).toEqual(before);
      expect(second.migrated).toBe(0);
      expect(second.refused).toEqual(first.refused);
    });

    it('completes once the invalid documents are corrected', async () => {
      await migrateLegacyInventory(harness.source(), quiet());
      for (const { document } of INVALID_LEGACY) {
        await harness.update(document._id, {
          totalStock: 6,
          reservedStock: 2,
          availableStock: null,
          version: null,
          variantId: variantOid(Number.parseInt(document._id, 16)),
          updatedAt: null,
        });
      }
      const result = await migrateLegacyInventoryOrFail(harness.source(), quiet());
      expect(result.migrated).toBe(INVALID_LEGACY.length);
      const after = byId(await harness.snapshot());
      for (const { document } of INVALID_LEGACY) {
        expect(after.get(document._id)).toMatchObject({
          availableStock: 4,
          version: 0,
          needsSync: true,
          updatedAt: MIGRATION_NOW,
        });
      }
    });

    it('walks many batches by _id without skipping, reporting progress with counts', async () => {
      await harness.load(manyLegacy(1234));
      const lines: string[] = [];
      const result = await migrateLegacyInventoryOrFail(harness.source(), {
        batchSize: 100,
        log: (line) => lines.push(line),
        now: MIGRATION_NOW,
      });
      expect(result).toMatchObject({
        batches: 13,
        scanned: 1234,
        migrated: 1234,
        refused: [],
        leftBehind: 0,
      });
      expect(await harness.source().countRemaining()).toBe(0);
      expect(lines).toContain(
        `legacy-inventory: batch 1: 100 scanned, 100 migrated, 0 refused (last _id ${legacyId(1099)})`,
      );
      expect(lines.at(-1)).toBe(
        'legacy-inventory: done: 1234 scanned, 1234 migrated, 0 refused, in 13 batches',
      );
    });

    it('resumes cleanly after a crash part-way through a batch, ending as an uninterrupted run would', async () => {
      const documents = [...legacyFixture(), ...manyLegacy(250)];
      await harness.load(documents);
      await migrateLegacyInventory(harness.source(), quiet(40));
      const uninterrupted = await harness.snapshot();

      for (const crashAt of [0, 1, 39, 40, 41, 123, 256]) {
        await harness.load(documents);
        await expect(
          migrateLegacyInventory(crashingAfter(harness.source(), crashAt), quiet(40)),
        ).rejects.toThrow(/simulated crash/);
        const resumed = await migrateLegacyInventory(harness.source(), quiet(40));
        expect(resumed.migrated, `crash after ${crashAt} writes`).toBe(
          VALID_LEGACY.length + 250 - crashAt,
        );
        expect(await harness.snapshot(), `crash after ${crashAt} writes`).toEqual(uninterrupted);
      }
    });

    it('does not overwrite a document changed between read and write, and reports it left behind', async () => {
      const target = VALID_LEGACY[0].document._id;
      const inner = harness.source();
      let changed = false;
      const racing: LegacyInventorySource<unknown> = {
        findBatch: async (afterId, limit) => {
          const batch = await inner.findBatch(afterId, limit);
          if (!changed && batch.some((document) => String(document._id) === target)) {
            changed = true;
            await harness.update(target, { totalStock: 11 });
          }
          return batch;
        },
        applyBatch: (updates) => inner.applyBatch(updates),
        countRemaining: () => inner.countRemaining(),
      };
      const result = await migrateLegacyInventory(racing, quiet());
      expect(result.leftBehind).toBe(1);
      expect((await harness.snapshot()).find((document) => document._id === target)).toMatchObject({
        totalStock: 11,
        reservedStock: 3,
      });
      expect(new LegacyInventoryMigrationError(result).message).toMatch(
        /1 inventory documents still lack/,
      );

      await migrateLegacyInventory(harness.source(), quiet());
      expect((await harness.snapshot()).find((document) => document._id === target)).toMatchObject({
        totalStock: 11,
        availableStock: 8,
      });
    });
  });
}
