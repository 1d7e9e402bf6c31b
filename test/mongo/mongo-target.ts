import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { setMigrationLogSink } from '../../src/migrate/migration-log';
import { startEmbeddedMongo } from '../../src/store/mongo/embedded-mongo';

/**
 * The first MongoDB replica set that can be had for a test suite: MONGODB_URI, else an embedded
 * one (MONGOMS_SYSTEM_BINARY, or mongodb-memory-server's download where there is internet). With
 * none, `skip` with a one-line reason — decided in well under a second offline. A MONGODB_URI that
 * does not answer, or names a standalone server, is `broken`: asked for explicitly, it must fail.
 */
export type MongoTarget =
  | { kind: 'ready'; uri: string; stop: () => Promise<void> }
  | { kind: 'skip'; reason: string }
  | { kind: 'broken'; error: Error };

const LOOKUP_TIMEOUT_MS = 5_000;

export function oneLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();
}

export async function configuredMongo(uri: string): Promise<MongoTarget> {
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

export async function embeddedMongo(): Promise<MongoTarget> {
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

/**
 * MONGODB_SUITES (tests may read the environment; only src/ goes through the config): `skip` skips
 * the MongoDB suites outright, `require` fails them where no MongoDB can be had (a CI job that
 * exists to run them must not go green by skipping); unset, they run where a MongoDB can be had.
 */
export function mongoSuitesMode(): 'auto' | 'skip' | 'require' {
  const mode = process.env.MONGODB_SUITES;
  return mode === 'skip' || mode === 'require' ? mode : 'auto';
}

/** A skip where MONGODB_SUITES=require turns it into a failure. */
export function skipOrRequire(reason: string): MongoTarget {
  return mongoSuitesMode() === 'require'
    ? { kind: 'broken', error: new Error(`MONGODB_SUITES=require, but ${reason}`) }
    : { kind: 'skip', reason };
}

/** MONGODB_URI when set, else an embedded replica set. */
export async function findMongo(): Promise<MongoTarget> {
  if (mongoSuitesMode() === 'skip') return { kind: 'skip', reason: 'MONGODB_SUITES=skip' };
  const uri = process.env.MONGODB_URI;
  const target = uri ? await configuredMongo(uri) : await embeddedMongo();
  return target.kind === 'skip' ? skipOrRequire(target.reason) : target;
}

/** A database name of its own per run, so runs never see each other's data. */
export function uniqueDbName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 10)}`;
}

/**
 * A suite that needs a MongoDB replica set: skipped in one line where none can be had, failing
 * where MONGODB_URI is set but unusable. The MongoDB found is stopped after the suite.
 */
export function describeWithMongo(title: string, body: (uri: string) => void): void {
  // Vitest awaits an async suite factory while collecting, so the MongoDB is found (or not)
  // before any test is declared.
  describe(title, async () => {
    const target = await findMongo();
    if (target.kind === 'skip') {
      describe.skip(`skipped: ${target.reason}`, () => {
        it('needs a MongoDB replica set', () => undefined);
      });
      return;
    }
    if (target.kind === 'broken') {
      it('reaches the configured MongoDB', () => {
        throw target.error;
      });
      return;
    }
    afterAll(() => target.stop());
    body(target.uri);
  });
}

/**
 * A suite on a database of its own (`uniqueDbName(prefix)`) on the MongoDB describeWithMongo
 * finds, with the migration log silenced; the database is dropped after the suite. `db()` is it,
 * from the first hook on.
 */
export function describeWithMongoDb(
  title: string,
  prefix: string,
  body: (db: () => Db) => void,
): void {
  describeWithMongo(title, (uri) => {
    let client: MongoClient | undefined;
    let db: Db | undefined;
    let restoreLog: (() => void) | undefined;
    beforeAll(async () => {
      restoreLog = setMigrationLogSink(() => undefined);
      client = await MongoClient.connect(uri, { serverSelectionTimeoutMS: 5000 });
      db = client.db(uniqueDbName(prefix));
    });
    afterAll(async () => {
      await db?.dropDatabase();
      await client?.close();
      restoreLog?.();
    });
    body(() => db!);
  });
}
