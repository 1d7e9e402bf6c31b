import type { MongoClientOptions } from 'mongodb';
import type { ConnectOptions } from 'mongoose';

/** Limits of the MongoDB connection; every wait the driver can make is bounded by one of them. */
export interface MongoConnectionLimits {
  /** Connections per server (the driver's default, 100, made explicit). */
  maxPoolSize: number;
  /** How long an operation waits for a suitable server (a primary), e.g. during an election. */
  serverSelectionTimeoutMS: number;
  /** TCP connect and the initial handshake. */
  connectTimeoutMS: number;
  /** Any one reply; a socket silent for longer is closed and the operation fails. */
  socketTimeoutMS: number;
  /** How long an operation waits for a pooled connection when all are busy. */
  waitQueueTimeoutMS: number;
  /** How long a write waits for majority acknowledgement before a write-concern error. */
  writeConcernTimeoutMS: number;
}

export const DEFAULT_CONNECTION_LIMITS: MongoConnectionLimits = {
  maxPoolSize: 100,
  // Long enough to ride out a primary stepping down (an election takes a few seconds), short
  // enough that a request (or a start against an unreachable URI) fails with one clear error.
  serverSelectionTimeoutMS: 5_000,
  connectTimeoutMS: 5_000,
  // Below it: the reconcile walk's getMores and the backfill's bulk writes, the slowest replies.
  socketTimeoutMS: 30_000,
  waitQueueTimeoutMS: 5_000,
  // Under socketTimeoutMS, so the server answers "not acknowledged in time" before the socket is cut.
  writeConcernTimeoutMS: 10_000,
};

/**
 * The MongoClient options the store's connection is opened with, whatever the URI says.
 *
 * Checked against mongodb 7.8 (lib/connection_string.js, parseOptions): a value given here comes
 * before the URI's value for the same key and is the one used, and `writeConcern` is applied after
 * the URI's `w` (OPTIONS are applied in key order, each merging into the write concern so far), so
 * `?w=1&retryWrites=false` in MONGODB_URI changes neither. Inside a transaction the driver sends no
 * per-operation write concern (lib/operations/command.js, buildCommand): transactions keep theirs.
 */
export function mongoDriverOptions(
  limits: MongoConnectionLimits = DEFAULT_CONNECTION_LIMITS,
): MongoClientOptions {
  return {
    // Every write outside a transaction (stock adjustments, clearing needsSync, search upserts)
    // waits for a majority, so a failover cannot roll back an acknowledged restock.
    writeConcern: { w: 'majority', wtimeoutMS: limits.writeConcernTimeoutMS },
    // One automatic retry of a write or read that met a failover or a network error; writes
    // carry a transaction number, so the server applies a retried write at most once.
    retryWrites: true,
    retryReads: true,
    maxPoolSize: limits.maxPoolSize,
    serverSelectionTimeoutMS: limits.serverSelectionTimeoutMS,
    connectTimeoutMS: limits.connectTimeoutMS,
    socketTimeoutMS: limits.socketTimeoutMS,
    waitQueueTimeoutMS: limits.waitQueueTimeoutMS,
  };
}

export interface MongoConnectionSettings {
  autoIndex: boolean;
  dbName?: string;
  limits?: MongoConnectionLimits;
}

/** The options of mongoose's `createConnection`: mongoose's own, then the driver's. */
export function mongoConnectionOptions(settings: MongoConnectionSettings): ConnectOptions {
  return {
    ...(settings.dbName !== undefined && { dbName: settings.dbName }),
    autoIndex: settings.autoIndex,
    autoCreate: settings.autoIndex,
    // No mongoose-side queue while disconnected: an outage surfaces as the driver's own
    // server-selection error (mapped to a retryable 503) after its timeout, which also rides out
    // a primary election, instead of a generic mongoose buffering timeout (a 500).
    bufferCommands: false,
    ...mongoDriverOptions(settings.limits),
  };
}
