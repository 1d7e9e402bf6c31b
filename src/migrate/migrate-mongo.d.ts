/**
 * migrate-mongo ships no types. It is an ES module whose CommonJS entry (what the compiled dist/
 * loads) resolves every export to a Promise of the real value, hence `Awaitable`: callers await
 * each export, which also works where the ES module itself is loaded (vitest).
 */
declare module 'migrate-mongo' {
  import type { Db, MongoClient } from 'mongodb';

  type Awaitable<T> = T | Promise<T>;

  export interface MigrateMongoConfig {
    mongodb: { url: string; databaseName?: string; options?: Record<string, unknown> };
    migrationsDir: string;
    changelogCollectionName: string;
    lockCollectionName?: string;
    /** Seconds; 0 disables the lock. */
    lockTtl?: number;
    migrationFileExtension?: string;
    useFileHash?: boolean;
    moduleSystem?: 'commonjs' | 'esm';
  }

  export interface MigrationStatus {
    fileName: string;
    /** An ISO date, or "PENDING". */
    appliedAt: string;
    migrationBlock?: number;
  }

  export const config: Awaitable<{ set(config: MigrateMongoConfig): void }>;
  export const up: Awaitable<(db: Db, client: MongoClient) => Promise<string[]>>;
  export const down: Awaitable<(db: Db, client: MongoClient) => Promise<string[]>>;
  export const status: Awaitable<(db: Db) => Promise<MigrationStatus[]>>;
}
