import { Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { MemoryStore } from './memory/memory.store';
import { startEmbeddedMongo } from './mongo/embedded-mongo';
import { MongoStore } from './mongo/mongo.store';
import type { Store } from './store';
import { oneLineMessage, StoreStartupError } from './store-startup-error';

export interface OpenedStore {
  store: Store;
  /** One line for the boot log: which store, where. */
  description: string;
  /** Closes the store and anything started for it (the embedded MongoDB). */
  close: () => Promise<void>;
}

const logger = new Logger('Store');

/**
 * Picks the store: STORE=memory → the in-memory model; MONGODB_URI → that MongoDB;
 * otherwise (development) an embedded single-node replica set under MONGO_DATA_DIR, and where no
 * mongod binary can be had, the in-memory model with a loud warning.
 */
export async function openStore(config: AppConfig): Promise<OpenedStore> {
  if (config.store === 'memory') {
    if (config.nodeEnv === 'production') {
      logger.warn('STORE=memory in production: nothing is durable, every hold is lost on restart');
    }
    return memory('in-memory (STORE=memory)');
  }
  const autoIndex = config.nodeEnv !== 'production';
  if (config.mongodbUri) {
    const store = await connectOrExplain(config.mongodbUri, autoIndex);
    return {
      store,
      description: `MongoDB at ${redact(config.mongodbUri)}`,
      close: () => store.close(),
    };
  }
  try {
    const embedded = await startEmbeddedMongo({ dataDir: config.mongoDataDir });
    const store = await MongoStore.connect(embedded.uri, { autoIndex });
    return {
      store,
      description: `embedded MongoDB replica set (data in ${config.mongoDataDir})`,
      close: async () => {
        await store.close();
        await embedded.stop();
      },
    };
  } catch (error) {
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
 * The configured MongoDB, or a StoreStartupError whose one line names the server (credentials
 * hidden) and why: not reachable within the server-selection timeout, or not migrated.
 */
async function connectOrExplain(uri: string, autoIndex: boolean): Promise<MongoStore> {
  try {
    return await MongoStore.connect(uri, { autoIndex });
  } catch (error) {
    if (error instanceof StoreStartupError) throw error;
    throw new StoreStartupError(
      `MongoDB at ${redact(uri)} cannot be used: ${oneLineMessage(error)}. ` +
        'Check MONGODB_URI and that the replica set is up and reachable from here.',
      { cause: error },
    );
  }
}

function memory(description: string): OpenedStore {
  const store = new MemoryStore();
  return { store, description, close: () => store.close() };
}

/** Hides credentials in a connection string before it is logged. */
export function redact(uri: string): string {
  return uri.replace(/\/\/([^@/]+)@/, '//***@');
}
