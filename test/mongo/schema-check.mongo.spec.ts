import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { MongoClient, type Db } from 'mongodb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/app-config';
import { setMigrationLogSink } from '../../src/migrate/migration-log';
import { MongoStore } from '../../src/store/mongo/mongo.store';
import { SchemaNotMigratedError } from '../../src/store/mongo/schema-check';
import { describeWithMongo, uniqueDbName } from './mongo-target';

type Migration = { up(db: Db): Promise<void> };
const MIGRATIONS_DIR = path.join(__dirname, '../../src/migrate/migrations');

/**
 * In production (autoIndex off) the store refuses an unmigrated database at connect, naming what
 * is missing and `npm run migrate`; once migrated it opens, and readiness notices a dropped index.
 */
describeWithMongo('MongoDB start-up schema check', (uri) => {
  const dbName = uniqueDbName('stockhold_schema');
  let client: MongoClient;
  let restoreLog: () => void;
  // The retention migration reads RETENTION_DAYS like the service: the store must expect the same.
  const { retentionDays } = loadConfig();
  const production = { autoIndex: false, dbName, retentionDays };

  beforeAll(async () => {
    restoreLog = setMigrationLogSink(() => undefined);
    client = await MongoClient.connect(uri, { serverSelectionTimeoutMS: 5_000 });
  });
  afterAll(async () => {
    await client?.db(dbName).dropDatabase();
    await client?.close();
    restoreLog?.();
  });

  it('refuses an empty database, naming every collection and the cure', async () => {
    const failure = await MongoStore.connect(uri, production).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SchemaNotMigratedError);
    const message = (failure as Error).message;
    expect(message).toContain('collection userholds is missing');
    expect(message).toContain('npm run migrate');
    expect(message).not.toContain('\n');
  });

  it('opens once migrated, and readiness reports an index dropped afterwards', async () => {
    const db = client.db(dbName);
    for (const file of readdirSync(MIGRATIONS_DIR).sort()) {
      const migration = (await import(path.join(MIGRATIONS_DIR, file))) as Migration;
      await migration.up(db);
    }
    // RETENTION_DAYS changed since the migration ran: refused until `npm run migrate` retimes it.
    const retimed = await MongoStore.connect(uri, { ...production, retentionDays: 1 }).catch(
      (error: unknown) => error,
    );
    expect((retimed as Error).message).toMatch(
      /index reservations\.ended_retention differs \(expireAfterSeconds .* asks 86400 s = 1 days\).*npm run migrate/,
    );
    const store = await MongoStore.connect(uri, production);
    try {
      await db.collection('variants').dropIndex('sku_unique');
      // Readiness pings the store; its first ping checks the schema again (later ones every 30 s).
      await expect(store.ping()).rejects.toThrow(
        /not migrated: index variants\.sku_unique is missing/,
      );
    } finally {
      await store.close();
    }
  });
});
