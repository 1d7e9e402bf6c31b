import { DynamicModule, Module } from '@nestjs/common';
import { MongoStoreModule, type MongoStoreSettings } from './mongo/mongo-store.module';
import { Store } from './store';

/**
 * What the application's store is: an instance made outside Nest (the in-memory store, a store a
 * test built), or MongoDB settings, from which MongoStoreModule builds the store inside Nest.
 */
export type StoreSource = Store | { mongodb: MongoStoreSettings };

/** Provides the `Store` port from its source. */
@Module({})
export class StoreModule {
  static forRoot(source: StoreSource): DynamicModule {
    if (source instanceof Store) {
      return {
        module: StoreModule,
        providers: [{ provide: Store, useValue: source }],
        exports: [Store],
      };
    }
    return {
      module: StoreModule,
      imports: [MongoStoreModule.forRoot(source.mongodb)],
      exports: [MongoStoreModule],
    };
  }
}

/** By default a store instance is closed with the app; MongooseModule closes its own connection. */
export function closeInstance(source: StoreSource): () => Promise<void> {
  return source instanceof Store ? () => source.close() : async () => undefined;
}
