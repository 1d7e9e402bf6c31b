import type { DynamicModule, Provider } from '@nestjs/common';
import { getModelToken, MongooseModule } from '@nestjs/mongoose';
import { describe, expect, it } from 'vitest';
import { MemoryStore } from './memory/memory.store';
import { MongoStoreModule } from './mongo/mongo-store.module';
import { STORE_MODEL_NAMES } from './mongo/mongo.schemas';
import { MongoStore } from './mongo/mongo.store';
import { Store } from './store';
import { StoreModule } from './store.module';

const tokenOf = (provider: Provider) =>
  typeof provider === 'function' ? provider : (provider as { provide: unknown }).provide;

describe('StoreModule', () => {
  it('provides a store made outside Nest as the Store port', () => {
    const store = new MemoryStore();
    const module = StoreModule.forRoot(store);
    expect(module.providers).toEqual([{ provide: Store, useValue: store }]);
    expect(module.exports).toEqual([Store]);
  });

  describe('with MongoDB settings', () => {
    const settings = {
      uri: 'mongodb://db1.internal:27017/shop?replicaSet=rs0&w=1',
      autoIndex: false,
      verifySchema: true,
    };
    const mongo = StoreModule.forRoot({ mongodb: settings }).imports?.[0] as DynamicModule;
    const [root, feature] = mongo.imports as DynamicModule[];

    it('builds the store in MongoStoreModule and exports it as the Store port', () => {
      expect(mongo.module).toBe(MongoStoreModule);
      expect(mongo.providers).toContainEqual({ provide: Store, useExisting: MongoStore });
      expect(mongo.exports).toEqual([Store]);
    });

    it('lets MongooseModule open the connection, with the store’s connection options', async () => {
      expect(root.module).toBe(MongooseModule);
      const core = (root.imports as DynamicModule[])[0];
      const optionsProvider = core.providers?.find(
        (provider) => tokenOf(provider) === 'MongooseModuleOptions',
      ) as { useFactory: () => Promise<Record<string, unknown>> | Record<string, unknown> };
      const options = await optionsProvider.useFactory();
      expect(options).toMatchObject({
        uri: settings.uri,
        autoIndex: false,
        autoCreate: false,
        bufferCommands: false,
        writeConcern: { w: 'majority' },
        retryWrites: true,
        retryReads: true,
        serverSelectionTimeoutMS: 5_000,
        retryAttempts: 1,
      });
    });

    it('registers every model with MongooseModule.forFeature', () => {
      expect(feature.module).toBe(MongooseModule);
      const tokens = (feature.providers ?? []).map(tokenOf);
      for (const name of Object.values(STORE_MODEL_NAMES)) {
        expect(tokens).toContain(getModelToken(name));
      }
    });
  });
});
