import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { startEmbeddedMongo } from '../../src/store/mongo/embedded-mongo';

/**
 * The first MongoDB a suite can have (as test/contract/mongo.store.spec.ts finds it): MONGODB_URI,
 * else an embedded replica set (MONGOMS_SYSTEM_BINARY, or mongodb-memory-server's download where
 * there is internet). None: `skip` with a one-line reason, decided in well under a second offline.
 */
export type MongoTarget =
  | { kind: 'ready'; uri: string; stop: () => Promise<void> }
  | { kind: 'skip'; reason: string }
  | { kind: 'broken'; error: Error };

const LOOKUP_TIMEOUT_MS = 5_000;

const oneLine = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();

export async function findMongo(purpose: string): Promise<MongoTarget> {
  const uri = process.env.MONGODB_URI;
  if (uri) {
    // Asked for explicitly, so a MongoDB that is down fails the run instead of hiding.
    const client = new MongoClient(uri, { serverSelectionTimeoutMS: LOOKUP_TIMEOUT_MS });
    try {
      await client.db('admin').command({ ping: 1 });
      return { kind: 'ready', uri, stop: async () => undefined };
    } catch (error) {
      return { kind: 'broken', error: new Error(`MONGODB_URI did not answer: ${oneLine(error)}`) };
    } finally {
      await client.close();
    }
  }
  const dataDir = await mkdtemp(join(tmpdir(), `stockhold-${purpose}-`));
  const removeDataDir = () => rm(dataDir, { recursive: true, force: true });
  try {
    const embedded = await startEmbeddedMongo({ dataDir, timeoutMs: LOOKUP_TIMEOUT_MS });
    return {
      kind: 'ready',
      uri: embedded.uri,
      stop: async () => {
        await embedded.stop();
        await removeDataDir();
      },
    };
  } catch (error) {
    await removeDataDir();
    return {
      kind: 'skip',
      reason: `no MongoDB (set MONGODB_URI or MONGOMS_SYSTEM_BINARY): ${oneLine(error)}`,
    };
  }
}
