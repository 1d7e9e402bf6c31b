import { MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CONNECTION_LIMITS,
  mongoConnectionOptions,
  mongoDriverOptions,
} from './connection-options';

describe('MongoDB connection options', () => {
  it('set majority writes, retries, a pool size and a bound on every wait', () => {
    expect(mongoConnectionOptions({ autoIndex: false })).toEqual({
      autoIndex: false,
      autoCreate: false,
      bufferCommands: false,
      writeConcern: { w: 'majority', wtimeoutMS: 10_000 },
      retryWrites: true,
      retryReads: true,
      maxPoolSize: 100,
      serverSelectionTimeoutMS: 5_000,
      connectTimeoutMS: 5_000,
      socketTimeoutMS: 30_000,
      waitQueueTimeoutMS: 5_000,
    });
  });

  it('name the database only when asked, and take other limits', () => {
    const options = mongoConnectionOptions({
      autoIndex: true,
      dbName: 'other',
      limits: { ...DEFAULT_CONNECTION_LIMITS, serverSelectionTimeoutMS: 800 },
    });
    expect(options).toMatchObject({ dbName: 'other', autoIndex: true, autoCreate: true });
    expect(options.serverSelectionTimeoutMS).toBe(800);
  });

  it('win over what the connection string says (the driver parses them without connecting)', async () => {
    const uri =
      'mongodb://127.0.0.1:1/shop?replicaSet=rs0&w=1&retryWrites=false&retryReads=false' +
      '&maxPoolSize=5&serverSelectionTimeoutMS=60000&socketTimeoutMS=0';
    const client = new MongoClient(uri, mongoDriverOptions());
    try {
      expect(client.options.writeConcern).toMatchObject({ w: 'majority', wtimeoutMS: 10_000 });
      expect(client.options.retryWrites).toBe(true);
      expect(client.options.retryReads).toBe(true);
      expect(client.options.maxPoolSize).toBe(100);
      expect(client.options.serverSelectionTimeoutMS).toBe(5_000);
      expect(client.options.socketTimeoutMS).toBe(30_000);
      expect(client.options.waitQueueTimeoutMS).toBe(5_000);
    } finally {
      await client.close();
    }
  });
});
