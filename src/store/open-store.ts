import { Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { MemoryStore } from './memory/memory.store';
import { startEmbeddedMongo, type EmbeddedMongo } from './mongo/embedded-mongo';
import { MongoStore } from './mongo/mongo.store';
import { Store } from './store';
import type { StoreSource } from './store.module';
import { oneLineMessage, StoreStartupError } from './store-startup-error';

export interface OpenedStore {
  store: Store;
  /** One line for the boot log: which store, where. */
  description: string;
  /** Closes the store and anything started for it (the embedded MongoDB). */
  close: () => Promise<void>;
}

export interface ChosenStore {
  /** The in-memory store, or MongoDB settings for MongooseModule (StoreModule) to connect with. */
  source: StoreSource;
  /** One line for the boot log: which store, where. */
  description: string;
  /** Stops what was started for the store (the embedded MongoDB), after the app has closed. */
  close: () => Promise<void>;
}

const logger = new Logger('Store');

/**
 * Picks the store at boot: STORE=memory → the in-memory model; MONGODB_URI → that MongoDB;
 * otherwise (development) an embedded single-node replica set under MONGO_DATA_DIR, and where no
 * mongod binary can be had, the in-memory model with a loud warning.
 *
 * A MongoDB is tried once here, before the application's modules are built (MongooseModule then
 * opens the service's own connection): an unreachable or unmigrated database ends the start in one
 * line (StoreStartupError) rather than in a failed provider's stack trace, and an embedded one that
 * cannot be used can still fall back to the in-memory store.
 */
export async function chooseStore(config: AppConfig): Promise<ChosenStore> {
  if (config.store === 'memory') {
    if (config.nodeEnv === 'production') {
      logger.warn('STORE=memory in production: nothing is durable, every hold is lost on restart');
    }
    return memory('in-memory (STORE=memory)');
  }
  const autoIndex = config.nodeEnv !== 'production';
  const settings = (uri: string): StoreSource => ({
    mongodb: { uri, autoIndex, verifySchema: !autoIndex, retentionDays: config.retentionDays },
  });
  if (config.mongodbUri) {
    await (await connectOrExplain(config.mongodbUri, autoIndex, config.retentionDays)).close();
    return {
      source: settings(config.mongodbUri),
      description: `MongoDB at ${redact(config.mongodbUri)}`,
      close: async () => undefined,
    };
  }
  let embedded: EmbeddedMongo | undefined;
  try {
    embedded = await startEmbeddedMongo({ dataDir: config.mongoDataDir });
    await (
      await MongoStore.connect(embedded.uri, { autoIndex, retentionDays: config.retentionDays })
    ).close();
    return {
      source: settings(embedded.uri),
      description: `embedded MongoDB replica set (data in ${config.mongoDataDir})`,
      close: embedded.stop,
    };
  } catch (error) {
    // The reason no MongoDB can be used is what the banner reports; a failed stop adds nothing.
    await embedded?.stop().catch(() => undefined);
    const banner = '!'.repeat(78);
    logger.warn(
      [
        banner,
        'No MongoDB could be started (no MONGODB_URI, and no mongod binary could be had:',
        `  ${(error as Error).message})`,
        'Falling back to STORE=memory: NOTHING IS DURABLE, holds vanish on restart.',
        'Set MONGODB_URI to a replica set, or MONGOMS_SYSTEM_BINARY to a local mongod.',
        banner,
      ].join('\n'),
    );
    return memory('in-memory (fallback: no MongoDB available)');
  }
}

/**
 * The store itself, outside Nest (the backfill CLI): chosen as the service chooses it, a MongoDB
 * one on a connection of its own.
 */
export async function openStore(config: AppConfig): Promise<OpenedStore> {
  const chosen = await chooseStore(config);
  const { source, description } = chosen;
  if (source instanceof Store) return { store: source, description, close: () => source.close() };
  const store = await connectOrExplain(
    source.mongodb.uri,
    source.mongodb.autoIndex,
    source.mongodb.retentionDays ?? 0,
  );
  return {
    store,
    description,
    close: async () => {
      await store.close();
      await chosen.close();
    },
  };
}

/**
 * The configured MongoDB, or a StoreStartupError whose one line names the server (credentials
 * hidden) and why: not reachable within the server-selection timeout, or not migrated.
 */
async function connectOrExplain(
  uri: string,
  autoIndex: boolean,
  retentionDays: number,
): Promise<MongoStore> {
  try {
    return await MongoStore.connect(uri, { autoIndex, retentionDays });
  } catch (error) {
    if (error instanceof StoreStartupError) throw error;
    throw new StoreStartupError(
      `MongoDB at ${redact(uri)} cannot be used: ${oneLineMessage(error)}. ` +
        'Check MONGODB_URI and that the replica set is up and reachable from here.',
      { cause: error },
    );
  }
}

function memory(description: string): ChosenStore {
  const store = new MemoryStore();
  return { source: store, description, close: () => store.close() };
}

/** Hides credentials in a connection string before it is logged. */
export function redact(uri: string): string {
  return uri.replace(/\/\/([^@/]+)@/, '//***@');
}
