import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  CheckpointRefusedError,
  parseCheckpoint,
  type BackfillCheckpoint,
} from './backfill-checkpoint';
import { FileCheckpointStore, temporaryPathFor } from './checkpoint-file';

const target = { store: 'mongodb' as const, id: '0123456789abcdef' };

function checkpointAt(processed: number): BackfillCheckpoint {
  return {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    target,
    lastId: processed === 0 ? null : processed.toString(16).padStart(24, '0'),
    processed,
    written: processed,
    batchSize: 10,
    startedAt: new Date('2030-01-01T00:00:00.000Z'),
    updatedAt: new Date('2030-01-01T00:00:00.000Z'),
    completedAt: null,
  };
}

let directory: string;
let file: string;

beforeEach(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'stockhold-checkpoint-'));
  file = path.join(directory, '.backfill-checkpoint.json');
});

afterEach(async () => {
  await chmod(directory, 0o755).catch(() => undefined);
  await rm(directory, { recursive: true, force: true });
});

describe('FileCheckpointStore', () => {
  it('has no checkpoint until one is saved, then loads what was saved', async () => {
    const store = new FileCheckpointStore(file, target);
    expect(await store.load()).toBeNull();
    await store.save(checkpointAt(30));
    expect(await store.load()).toEqual(checkpointAt(30));
    await store.save(checkpointAt(40));
    expect(await store.load()).toEqual(checkpointAt(40));
    // The temporary file was renamed over the checkpoint, not left behind.
    expect(await readdir(directory)).toEqual(['.backfill-checkpoint.json']);
  });

  it('names its temporary file so the .gitignore pattern for checkpoints covers it', () => {
    expect(temporaryPathFor('/x/.backfill-checkpoint.json')).toBe(
      '/x/.backfill-checkpoint.tmp.json',
    );
    expect(temporaryPathFor('/x/progress')).toBe('/x/progress.tmp');
  });

  it('is replaced atomically: a reader racing many saves only ever sees whole checkpoints', async () => {
    const store = new FileCheckpointStore(file, target);
    await store.save(checkpointAt(0));
    let saving = true;
    const reads: number[] = [];
    const reader = (async () => {
      while (saving) {
        const text = await readFile(file, 'utf8');
        // Throws (failing the test) on a torn or empty file.
        reads.push(parseCheckpoint(text, file, target).processed);
      }
    })();
    for (let processed = 1; processed <= 300; processed += 1) {
      await store.save(checkpointAt(processed));
    }
    saving = false;
    await reader;
    expect(reads.length).toBeGreaterThan(0);
    // A later read never goes back to an earlier checkpoint.
    expect([...reads].sort((a, b) => a - b)).toEqual(reads);
  });

  it('ignores a temporary file a killed run left behind, and overwrites it on the next save', async () => {
    const store = new FileCheckpointStore(file, target);
    await store.save(checkpointAt(10));
    await writeFile(temporaryPathFor(file), '{"format":"stockhold-backf');
    expect(await store.load()).toEqual(checkpointAt(10));
    await store.save(checkpointAt(20));
    expect(await store.load()).toEqual(checkpointAt(20));
    expect(await readdir(directory)).toEqual(['.backfill-checkpoint.json']);
  });

  it('refuses a corrupt file and leaves it byte for byte as it was', async () => {
    await writeFile(file, '{"format": "stockhold-backfill-checkpoint", "version": 1, "lastId": 4');
    const before = await readFile(file, 'utf8');
    await expect(new FileCheckpointStore(file, target).load()).rejects.toThrow(
      `The checkpoint file ${file} is not valid JSON`,
    );
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  it('refuses another database’s checkpoint', async () => {
    await new FileCheckpointStore(file, { store: 'mongodb', id: 'ffffffffffffffff' }).save({
      ...checkpointAt(10),
      target: { store: 'mongodb', id: 'ffffffffffffffff' },
    });
    await expect(new FileCheckpointStore(file, target).load()).rejects.toThrow(
      'belongs to another database',
    );
  });

  it('explains a path it cannot write or read', async () => {
    const missing = new FileCheckpointStore(path.join(directory, 'no-such-dir', 'cp.json'), target);
    await expect(missing.save(checkpointAt(0))).rejects.toThrow(CheckpointRefusedError);
    await expect(missing.save(checkpointAt(0))).rejects.toThrow('Check that its directory exists');

    const aDirectory = path.join(directory, 'a-directory');
    await mkdir(aDirectory);
    await expect(new FileCheckpointStore(aDirectory, target).load()).rejects.toThrow(
      `The checkpoint file ${aDirectory} cannot be read`,
    );
  });
});
