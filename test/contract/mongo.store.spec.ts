import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, describe, it } from 'vitest';
import { startEmbeddedMongo } from '../../src/store/mongo/embedded-mongo';
import { MongoStore } from '../../src/store/mongo/mongo.store';
import { describeCartContract } from './cart.contract';
import { describeStoreContract } from './store.contract';

/**
 * The store contract against MongoDB (DESIGN §9), on the first MongoDB that can be had:
 * MONGODB_URI, else an embedded replica set (MONGOMS_SYSTEM_BINARY, or mongodb-memory-server's
 * download where there is internet). With none, the suite is skipped with a one-line reason —
 * decided in well under a second offline, before any test is declared.
 */
type MongoTarget =
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
  const dataDir = await mkdtemp(join(tmpdir(), 'stockhold-mongo-contract-'));
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

// Vitest awaits an async suite factory while collecting, so the MongoDB is found (or not) before
// any test is declared; the project compiles to CommonJS, which rules out a top-level await.
describe('MongoStore contract', async () => {
  const mongodbUri = process.env.MONGODB_URI;
  const target = mongodbUri ? await configuredMongo(mongodbUri) : await embeddedMongo();

  if (target.kind === 'skip') {
    describe.skip(`skipped: ${target.reason}`, () => {
      it('runs the store contract against MongoDB', () => undefined);
    });
    return;
  }
  if (target.kind === 'broken') {
    it('reaches the configured MongoDB', () => {
      throw target.error;
    });
    return;
  }

  // One database per run, so runs never see each other's data; dropped at the end.
  const dbName = `stockhold_contract_${Date.now().toString(36)}_${randomUUID().slice(0, 8)}`;

  describeStoreContract('MongoStore', async () => {
    const store = await MongoStore.connect(target.uri, { autoIndex: true, dbName });
    return {
      store,
      cleanup: () => store.close(),
      corrupt: (variantId, patch) => store.corruptInventoryForTest(variantId, patch),
    };
  });

  describeCartContract('MongoStore', async () => {
    const store = await MongoStore.connect(target.uri, { autoIndex: true, dbName });
    return { store, cleanup: () => store.close() };
  });

  afterAll(async () => {
    const client = new MongoClient(target.uri);
    try {
      await client.db(dbName).dropDatabase();
    } finally {
      await client.close();
      await target.stop();
    }
  });
});
