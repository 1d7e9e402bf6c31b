import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { startEmbeddedMongo } from '../../src/store/mongo/embedded-mongo';

/**
 * The first MongoDB replica set a MongoDB-only suite can have: MONGODB_URI, else an embedded
 * single-node replica set (MONGOMS_SYSTEM_BINARY, or mongodb-memory-server's download where there
 * is internet). With none, `skip` says why in one line — found out in well under a second offline.
 * The same lookup as test/contract/mongo.store.spec.ts.
 */
export type MongoTarget =
  | { kind: 'ready'; uri: string; stop: () => Promise<void> }
  | { kind: 'skip'; reason: string }
  | { kind: 'broken'; error: Error };

const LOOKUP_TIMEOUT_MS = 5_000;

function oneLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();
}

async function configuredMongo(uri: string): Promise<MongoTarget> {
  // Asked for explicitly, so a MongoDB that is down or standalone fails the run instead of hiding.
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: LOOKUP_TIMEOUT_MS });
  try {
    const hello = await client.db('admin').command({ hello: 1 });
    if (hello.setName === undefined && hello.msg !== 'isdbgrid') {
      return {
        kind: 'broken',
        error: new Error(
          'MONGODB_URI points at a standalone mongod; transactions need a replica set',
        ),
      };
    }
    return { kind: 'ready', uri, stop: async () => undefined };
  } catch (error) {
    return {
      kind: 'broken',
      error: new Error(`MONGODB_URI is set but MongoDB did not answer: ${oneLine(error)}`),
    };
  } finally {
    await client.close();
  }
}

async function embeddedMongo(): Promise<MongoTarget> {
  const dataDir = await mkdtemp(join(tmpdir(), 'stockhold-mongo-suite-'));
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

export function findMongo(): Promise<MongoTarget> {
  // Tests may read the environment directly; only src/ goes through the validated config.
  const uri = process.env.MONGODB_URI;
  return uri ? configuredMongo(uri) : embeddedMongo();
}
