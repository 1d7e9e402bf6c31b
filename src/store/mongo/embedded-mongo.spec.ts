import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedMongo } from './embedded-mongo';

describe('startEmbeddedMongo without a mongod binary', () => {
  const saved = process.env.MONGOMS_SYSTEM_BINARY;
  let parent: string | undefined;

  afterEach(async () => {
    if (saved === undefined) delete process.env.MONGOMS_SYSTEM_BINARY;
    else process.env.MONGOMS_SYSTEM_BINARY = saved;
    if (parent) await rm(parent, { recursive: true, force: true });
  });

  it('fails without creating its data directory (the memory fallback leaves no empty .data/mongo)', async () => {
    parent = await mkdtemp(join(tmpdir(), 'stockhold-embedded-'));
    // mongodb-memory-server reads MONGOMS_SYSTEM_BINARY itself; a missing file means "no binary".
    process.env.MONGOMS_SYSTEM_BINARY = join(parent, 'no-such-mongod');
    await expect(
      startEmbeddedMongo({ dataDir: join(parent, 'mongo'), timeoutMs: 2000 }),
    ).rejects.toThrow();
    expect(await readdir(parent)).toEqual([]);
  });
});
