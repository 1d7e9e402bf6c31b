import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeSearchStore } from '../../../test/backfill/fake-search-store';
import { makeVariants, variantId } from '../../../test/backfill/variants';
import { ManualClock } from '../../common/clock';
import { toSearchDocument } from '../search-document';
import { CheckpointRefusedError } from './backfill-checkpoint';
import { runBackfill, type BackfillOptions } from './backfill-engine';
import { FileCheckpointStore } from './checkpoint-file';

const target = { store: 'mongodb' as const, id: '0123456789abcdef' };
const variants = makeVariants(95);

let directory: string;
let file: string;
let clock: ManualClock;

beforeEach(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'stockhold-backfill-engine-'));
  file = path.join(directory, '.backfill-checkpoint.json');
  clock = new ManualClock(new Date('2030-01-01T03:00:00.000Z'));
});

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

function run(store: FakeSearchStore, options: Partial<BackfillOptions> = {}) {
  return runBackfill({
    store,
    clock,
    batchSize: 10,
    checkpoints: new FileCheckpointStore(file, target),
    ...options,
  });
}

/** Stops the walk once it has processed `count` variants (at that batch's boundary). */
function stopAfter(count: number): Pick<BackfillOptions, 'signal' | 'onProgress'> {
  const controller = new AbortController();
  return {
    signal: controller.signal,
    onProgress: (progress) => {
      if (progress.processed >= count) controller.abort();
    },
  };
}

const readCheckpointFile = async () => JSON.parse(await readFile(file, 'utf8'));

describe('runBackfill', () => {
  it('walks every variant by id in batches of range queries and writes each one’s document', async () => {
    const store = new FakeSearchStore(variants);
    const result = await run(store);

    expect(result).toMatchObject({
      outcome: 'completed',
      processed: 95,
      written: 95,
      resumedFrom: null,
    });
    expect(store.listCalls.map((call) => call.afterId)).toEqual([
      null,
      ...[10, 20, 30, 40, 50, 60, 70, 80, 90].map(variantId),
    ]);
    expect(store.listCalls.every((call) => call.limit === 10)).toBe(true);
    for (const { variant, inventory } of variants) {
      expect(store.documents.get(variant.id)).toEqual(
        toSearchDocument(variant, inventory, clock.now()),
      );
    }
    expect(await readCheckpointFile()).toMatchObject({
      lastId: variantId(95),
      processed: 95,
      written: 95,
      completedAt: clock.now().toISOString(),
    });
  });

  it('asks once more after a full last page, and never after a short one', async () => {
    const exact = new FakeSearchStore(makeVariants(30));
    await runBackfill({ store: exact, clock, batchSize: 10 });
    expect(exact.listCalls).toHaveLength(4);

    const none = new FakeSearchStore([]);
    expect(await runBackfill({ store: none, clock, batchSize: 10 })).toMatchObject({
      outcome: 'completed',
      processed: 0,
    });
  });

  it('counts only the documents the store actually replaced', async () => {
    const store = new FakeSearchStore(variants);
    const newer = toSearchDocument(variants[0].variant, variants[0].inventory, clock.now());
    await store.upsertSearchDocuments([{ ...newer, syncedVersion: newer.syncedVersion + 5 }]);
    expect((await run(store)).written).toBe(94);
  });

  it('resumes after the checkpoint of an interrupted run, keeping its start time', async () => {
    const first = await run(new FakeSearchStore(variants), stopAfter(30));
    expect(first).toMatchObject({ outcome: 'interrupted', processed: 30, lastId: variantId(30) });
    expect(await readCheckpointFile()).toMatchObject({ processed: 30, completedAt: null });

    clock.advance(60_000);
    const store = new FakeSearchStore(variants);
    const second = await run(store);
    expect(store.listCalls[0].afterId).toBe(variantId(30));
    expect(second).toMatchObject({
      outcome: 'completed',
      processed: 95,
      processedThisRun: 65,
      startedAt: first.startedAt,
    });
    expect(second.resumedFrom?.lastId).toBe(variantId(30));
    expect([...store.documents.keys()]).toEqual(
      variants
        .slice(0, 65)
        .map((v) => v.variant.id)
        .reverse(),
    );
  });

  it('keeps the last finished batch when a batch fails, and resumes from it', async () => {
    await expect(run(new FakeSearchStore(variants, { failOnUpsertCall: 3 }))).rejects.toThrow(
      'the sink is down',
    );
    expect(await readCheckpointFile()).toMatchObject({ processed: 20, lastId: variantId(20) });

    const store = new FakeSearchStore(variants);
    expect(await run(store)).toMatchObject({ outcome: 'completed', processed: 95 });
    expect(store.listCalls[0].afterId).toBe(variantId(20));
  });

  it('does nothing for a finished walk until --reset', async () => {
    await run(new FakeSearchStore(variants));
    const store = new FakeSearchStore(variants);
    expect(await run(store)).toMatchObject({ outcome: 'already-complete', processed: 95 });
    expect(store.listCalls).toHaveLength(0);

    expect(await run(store, { reset: true })).toMatchObject({
      outcome: 'completed',
      processedThisRun: 95,
      resumedFrom: null,
    });
  });

  it('refuses a corrupt checkpoint before touching the store, and leaves the file alone', async () => {
    await writeFile(file, 'not json at all');
    const store = new FakeSearchStore(variants);
    await expect(run(store)).rejects.toThrow(CheckpointRefusedError);
    await expect(run(store, { dryRun: true })).rejects.toThrow(CheckpointRefusedError);
    expect(store.listCalls).toHaveLength(0);
    expect(await readFile(file, 'utf8')).toBe('not json at all');
  });

  it('with reset, starts over even from a corrupt or foreign checkpoint, replacing it at once', async () => {
    for (const bad of ['not json at all', JSON.stringify({ format: 'something-else' })]) {
      await writeFile(file, bad);
      const store = new FakeSearchStore(variants);
      expect(await run(store, { ...stopAfter(10), reset: true })).toMatchObject({
        outcome: 'interrupted',
        processed: 10,
        resumedFrom: null,
      });
      expect(store.listCalls[0].afterId).toBeNull();
      expect(await readCheckpointFile()).toMatchObject({ processed: 10, target });
    }
  });

  describe('dry run', () => {
    it('reads and counts every variant, writing no document and no checkpoint', async () => {
      const store = new FakeSearchStore(variants);
      const result = await run(store, { dryRun: true });
      expect(result).toMatchObject({ outcome: 'completed', processed: 95, written: 0 });
      expect(store.upsertCalls).toBe(0);
      expect(store.documents.size).toBe(0);
      expect(await readdir(directory)).toEqual([]);
    });

    it('starts where a real run would resume, and leaves the checkpoint byte for byte', async () => {
      await run(new FakeSearchStore(variants), stopAfter(40));
      const before = await readFile(file, 'utf8');
      const store = new FakeSearchStore(variants);
      clock.advance(1000);
      expect(await run(store, { dryRun: true })).toMatchObject({ processedThisRun: 55 });
      expect(store.listCalls[0].afterId).toBe(variantId(40));
      expect(store.upsertCalls).toBe(0);
      expect(await readFile(file, 'utf8')).toBe(before);
    });
  });

  it('walks without any checkpoint when given none (the daily resync)', async () => {
    const store = new FakeSearchStore(variants);
    expect(await runBackfill({ store, clock, batchSize: 7 })).toMatchObject({
      outcome: 'completed',
      processed: 95,
    });
    expect(store.documents.size).toBe(95);
    expect(await readdir(directory)).toEqual([]);
  });

  it('stops with an error when the store answers out of id order, instead of looping', async () => {
    const store = new FakeSearchStore(variants);
    store.listVariants = async () => variants.slice(0, 3);
    await expect(runBackfill({ store, clock, batchSize: 3 })).rejects.toThrow(
      'ids must ascend strictly',
    );
  });

  it('rejects a batch size out of range', async () => {
    const store = new FakeSearchStore(variants);
    await expect(runBackfill({ store, clock, batchSize: 0 })).rejects.toThrow(RangeError);
    await expect(runBackfill({ store, clock, batchSize: 10_001 })).rejects.toThrow(RangeError);
  });
});
