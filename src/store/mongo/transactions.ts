import type { ClientSession, TransactionOptions } from 'mongodb';
import type { Connection } from 'mongoose';

/**
 * DESIGN §4: every multi-document change reads from the primary, sees one snapshot and commits
 * with majority write concern, so a committed hold survives a primary failover.
 */
export const TRANSACTION_OPTIONS: TransactionOptions = {
  readPreference: 'primary',
  readConcern: { level: 'snapshot' },
  writeConcern: { w: 'majority' },
};

/**
 * One transaction attempt. It may run several times (the driver retries on
 * TransientTransactionError), so it must keep all its state inside and start from scratch on every
 * call; `attempt` counts from 1. Pass `{ session }` to every operation in it.
 */
export type TransactionWork<T> = (session: ClientSession, attempt: number) => Promise<T>;

/**
 * Runs work in a transaction through the driver's `ClientSession.withTransaction`, counting retries.
 *
 * Why the driver's helper rather than mongoose's `Connection.transaction()`: that one is a thin
 * wrapper over the same `withTransaction` whose only addition is restoring hydrated documents'
 * `save()` state between attempts — and this store never hydrates a document (queries are lean,
 * inserts are fresh per attempt). Calling the driver directly keeps the session in our hands, so we
 * count attempts and end the session deterministically (mongoose ends it without awaiting).
 *
 * Error behaviour (driver ≥ 6, checked against mongodb 7.8's sessions.js): any error that is not a
 * MongoError — our DomainErrors — aborts the transaction and is rethrown unchanged; a MongoError
 * labelled TransientTransactionError re-runs the callback; UnknownTransactionCommitResult retries
 * only the commit; every other driver error aborts and propagates. Nothing is swallowed here.
 */
export class TransactionRunner {
  private retryCount = 0;

  constructor(private readonly connection: Connection) {}

  /** Callback runs beyond the first, summed over every transaction run so far (for /metrics). */
  get retries(): number {
    return this.retryCount;
  }

  async run<T>(work: TransactionWork<T>): Promise<T> {
    const session = await this.connection.startSession();
    let attempt = 0;
    try {
      return await session.withTransaction(async (activeSession) => {
        attempt += 1;
        if (attempt > 1) this.retryCount += 1;
        return work(activeSession, attempt);
      }, TRANSACTION_OPTIONS);
    } finally {
      // Aborts a transaction still open (only after an unexpected throw) and returns the session to the pool.
      await session.endSession();
    }
  }
}
