import type { ClientSession, TransactionOptions } from 'mongodb';
import type { Connection } from 'mongoose';
import { RequestDeadlineExceededError } from '../../common/errors/domain-errors';

/**
 * Every multi-document change reads from the primary, sees one snapshot and commits
 * with majority write concern, so a committed hold survives a primary failover.
 */
export const TRANSACTION_OPTIONS: TransactionOptions = {
  readPreference: 'primary',
  readConcern: { level: 'snapshot' },
  writeConcern: { w: 'majority' },
};

/** How long a transaction may retry when its caller gives no deadline (the driver's own: 120 s). */
export const DEFAULT_TRANSACTION_BUDGET_MS = 5_000;

/**
 * One transaction attempt. It may run several times (after a TransientTransactionError), so it
 * must keep all its state inside and start from scratch on every call; `attempt` counts from 1.
 * Pass `{ session }` to every operation in it.
 */
export type TransactionWork<T> = (session: ClientSession, attempt: number) => Promise<T>;

export interface TransactionRunOptions {
  /**
   * A `performance.now()` time after which no attempt or commit retry starts. Without one the
   * transaction gets DEFAULT_TRANSACTION_BUDGET_MS from its start.
   */
  deadline?: number;
}

/** mongodb 7.8 lib/error.js: labels are read through hasErrorLabel on every MongoError. */
function hasErrorLabel(error: unknown, label: string): boolean {
  return (
    typeof (error as { hasErrorLabel?: unknown })?.hasErrorLabel === 'function' &&
    (error as { hasErrorLabel: (label: string) => boolean }).hasErrorLabel(label)
  );
}

const MAX_TIME_MS_EXPIRED = 50;

/** The commit ran out of maxCommitTimeMS (sessions.js isMaxTimeMSExpiredError checks the same). */
function isMaxTimeMSExpired(error: unknown): boolean {
  const shaped = error as { code?: unknown; writeConcernError?: { code?: unknown } } | undefined;
  return (
    shaped?.code === MAX_TIME_MS_EXPIRED || shaped?.writeConcernError?.code === MAX_TIME_MS_EXPIRED
  );
}

/** The driver's backoff between attempts (sessions.js): jitter × min(5 ms × 1.5^attempt, 500 ms). */
function backoffMs(attempt: number): number {
  return Math.random() * Math.min(5 * 1.5 ** attempt, 500);
}

/**
 * Runs work in a transaction, counting retries, and never past a deadline.
 *
 * Why not the driver's `ClientSession.withTransaction` (nor mongoose's `Connection.transaction()`,
 * a thin wrapper over it): checked in mongodb 7.8's lib/sessions.js, withTransaction retries a
 * TransientTransactionError and re-commits after UnknownTransactionCommitResult until 120 s have
 * passed (`MAX_TIMEOUT = 120_000`), and the only way to shorten that, the client-side operation
 * timeout `timeoutMS`, is a no-op in 7.8: every `timeoutMS` option is marked "deprecated and has
 * no effect" (mongodb.d.ts; MongoClient#timeoutMS returns undefined), so withTransaction never
 * gets a timeout context and always uses the 120 s. A request holding an admission slot for
 * 120 s is what this project must not do. So this loop follows the same transactions-spec steps
 * as withTransaction, with the deadline in place of the 120 s:
 *   - each attempt starts only while time is left, after the driver's jittered backoff, and gets
 *     `maxCommitTimeMS` = the time left (the one server-side bound 7.8 honours on a commit:
 *     startTransaction copies it to the commit command's `maxTimeMS`);
 *   - an error from the callback aborts the transaction; with the TransientTransactionError
 *     label the callback runs again, else the error propagates unchanged (our DomainErrors too);
 *   - a commit error labelled UnknownTransactionCommitResult (and not MaxTimeMSExpired) retries
 *     the commit alone (the driver then uses majority write concern); TransientTransactionError
 *     runs the whole transaction again; anything else propagates.
 * At the deadline: if the last failure left nothing written (an aborted attempt), the answer is
 * RequestDeadlineExceededError, a 503 saying nothing changed; if a commit's result is unknown,
 * that driver error propagates with its label, answered as a 503 saying the outcome is unknown.
 * A commit that starts just before the deadline may end up to its own maxCommitTimeMS after it.
 * The callback's own operations are bounded by the connection's timeouts and by the server's
 * transaction lock timeout, not by this loop.
 */
export class TransactionRunner {
  private retryCount = 0;

  constructor(
    private readonly connection: Pick<Connection, 'startSession'>,
    private readonly defaultBudgetMs = DEFAULT_TRANSACTION_BUDGET_MS,
  ) {}

  /** Callback runs beyond the first, summed over every transaction run so far (for /metrics). */
  get retries(): number {
    return this.retryCount;
  }

  async run<T>(work: TransactionWork<T>, options: TransactionRunOptions = {}): Promise<T> {
    const deadline = options.deadline ?? performance.now() + this.defaultBudgetMs;
    const session = await this.connection.startSession();
    try {
      return await this.attempts(session, work, deadline);
    } finally {
      // Aborts a transaction still open (only after an unexpected throw) and returns the session to the pool.
      await session.endSession();
    }
  }

  private async attempts<T>(
    session: ClientSession,
    work: TransactionWork<T>,
    deadline: number,
  ): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      if (attempt > 1) {
        const pause = backoffMs(attempt - 1);
        if (performance.now() + pause >= deadline) throw new RequestDeadlineExceededError();
        await new Promise((resolve) => setTimeout(resolve, pause));
      }
      const remainingMs = deadline - performance.now();
      if (remainingMs <= 0) throw new RequestDeadlineExceededError();
      if (attempt > 1) this.retryCount += 1;
      session.startTransaction({ ...TRANSACTION_OPTIONS, maxCommitTimeMS: Math.ceil(remainingMs) });
      let result: T;
      try {
        result = await work(session, attempt);
      } catch (error) {
        if (session.inTransaction()) await session.abortTransaction();
        if (hasErrorLabel(error, 'TransientTransactionError')) continue;
        throw error;
      }
      if (await this.commit(session, deadline)) return result;
    }
  }

  /** True once committed; false when the whole transaction must run again. */
  private async commit(session: ClientSession, deadline: number): Promise<boolean> {
    for (;;) {
      try {
        await session.commitTransaction();
        return true;
      } catch (error) {
        if (hasErrorLabel(error, 'UnknownTransactionCommitResult') && !isMaxTimeMSExpired(error)) {
          if (performance.now() >= deadline) throw error;
          continue;
        }
        if (hasErrorLabel(error, 'TransientTransactionError')) return false;
        throw error;
      }
    }
  }
}
