import type { ClientSession, TransactionOptions } from 'mongodb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DriverLikeError } from '../../../test/helpers/driver-like-error';
import { OutOfStockError, RequestDeadlineExceededError } from '../../common/errors/domain-errors';
import { DEFAULT_TRANSACTION_BUDGET_MS, TransactionRunner } from './transactions';

/**
 * A stand-in for the driver's ClientSession with the state machine the runner relies on
 * (mongodb 7.8 sessions.js): startTransaction opens, abortTransaction closes, commitTransaction
 * ends the transaction whether it succeeds or throws. Commits fail with the queued errors.
 */
class FakeSession {
  readonly log: string[] = [];
  readonly started: TransactionOptions[] = [];
  readonly commitFailures: unknown[] = [];
  ended = false;
  private open = false;

  startTransaction(options: TransactionOptions): void {
    this.open = true;
    this.started.push(options);
    this.log.push('start');
  }

  inTransaction(): boolean {
    return this.open;
  }

  async abortTransaction(): Promise<void> {
    this.open = false;
    this.log.push('abort');
  }

  async commitTransaction(): Promise<void> {
    this.log.push('commit');
    this.open = false;
    const failure = this.commitFailures.shift();
    if (failure) throw failure;
  }

  async endSession(): Promise<void> {
    this.ended = true;
  }
}

function runnerWith(session: FakeSession): TransactionRunner {
  return new TransactionRunner({
    startSession: async () => session as unknown as ClientSession,
  });
}

const writeConflict = () =>
  new DriverLikeError('MongoServerError', {
    code: 112,
    labels: ['TransientTransactionError'],
    message: 'WriteConflict',
  });

/** Settles `promise` while fake time runs on, so backoffs and slow attempts elapse. */
async function settleWithin<T>(promise: Promise<T>, ms: number): Promise<T | unknown> {
  const outcome = promise.then(
    (value) => value,
    (error: unknown) => error,
  );
  await vi.advanceTimersByTimeAsync(ms);
  return outcome;
}

describe('TransactionRunner', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('re-runs a transaction after a transient error and counts the retry', async () => {
    const session = new FakeSession();
    const runner = runnerWith(session);
    const attempts: number[] = [];
    const result = await settleWithin(
      runner.run(async (_session, attempt) => {
        attempts.push(attempt);
        if (attempt === 1) throw writeConflict();
        return 'held';
      }),
      1_000,
    );
    expect(result).toBe('held');
    expect(attempts).toEqual([1, 2]);
    expect(session.log).toEqual(['start', 'abort', 'start', 'commit']);
    expect(runner.retries).toBe(1);
    expect(session.ended).toBe(true);
  });

  it('stops retrying write conflicts at the deadline and answers 503, with nothing left open', async () => {
    const session = new FakeSession();
    const runner = runnerWith(session);
    const deadline = performance.now() + 1_000;
    const attemptStarts: number[] = [];
    const error = await settleWithin(
      runner.run(
        async () => {
          attemptStarts.push(performance.now());
          await new Promise((resolve) => setTimeout(resolve, 40));
          throw writeConflict();
        },
        { deadline },
      ),
      120_000,
    );
    expect(error).toBeInstanceOf(RequestDeadlineExceededError);
    expect((error as RequestDeadlineExceededError).headers['Retry-After']).toBe('1');
    expect(attemptStarts.length).toBeGreaterThan(3);
    expect(Math.max(...attemptStarts)).toBeLessThan(deadline);
    // Every attempt was aborted; none was committed.
    expect(session.log.filter((entry) => entry === 'start')).toHaveLength(attemptStarts.length);
    expect(session.log.filter((entry) => entry === 'abort')).toHaveLength(attemptStarts.length);
    expect(session.log).not.toContain('commit');
    expect(session.ended).toBe(true);
  });

  it('without a deadline, gives up after its default budget instead of the driver’s 120 s', async () => {
    const session = new FakeSession();
    const runner = runnerWith(session);
    const startedAt = performance.now();
    let lastAttemptAt = startedAt;
    const error = await settleWithin(
      runner.run(async () => {
        lastAttemptAt = performance.now();
        await new Promise((resolve) => setTimeout(resolve, 40));
        throw writeConflict();
      }),
      120_000,
    );
    expect(error).toBeInstanceOf(RequestDeadlineExceededError);
    // It used its budget (the last attempt began within the longest backoff of the end), no more.
    expect(lastAttemptAt - startedAt).toBeLessThan(DEFAULT_TRANSACTION_BUDGET_MS);
    expect(lastAttemptAt - startedAt).toBeGreaterThan(DEFAULT_TRANSACTION_BUDGET_MS - 1_000);
  });

  it('gives each attempt a commit time limit no longer than the time left', async () => {
    const session = new FakeSession();
    const runner = runnerWith(session);
    const deadline = performance.now() + 750;
    await settleWithin(
      runner.run(async () => 'ok', { deadline }),
      0,
    );
    expect(session.started).toHaveLength(1);
    expect(session.started[0]).toMatchObject({
      readPreference: 'primary',
      readConcern: { level: 'snapshot' },
      writeConcern: { w: 'majority' },
      maxCommitTimeMS: 750,
    });
  });

  it('retries a commit with an unknown result until the deadline, then passes the driver error on', async () => {
    const session = new FakeSession();
    const runner = runnerWith(session);
    const deadline = performance.now() + 500;
    const unknown = () =>
      new DriverLikeError('MongoServerError', {
        code: 91,
        labels: ['RetryableWriteError', 'UnknownTransactionCommitResult'],
      });
    // Each failing commit takes 100 ms, like a commit sent to a primary that is stepping down.
    session.commitTransaction = async () => {
      session.log.push('commit');
      await new Promise((resolve) => setTimeout(resolve, 100));
      throw unknown();
    };
    let callbackRuns = 0;
    const error = await settleWithin(
      runner.run(
        async () => {
          callbackRuns += 1;
          return 'maybe';
        },
        { deadline },
      ),
      120_000,
    );
    // The commit's outcome is unknown: the caller must see that, not "nothing was changed".
    expect(error).toBeInstanceOf(DriverLikeError);
    expect((error as DriverLikeError).hasErrorLabel('UnknownTransactionCommitResult')).toBe(true);
    expect(callbackRuns).toBe(1);
    expect(session.log.filter((entry) => entry === 'commit')).toHaveLength(5);
  });

  it('does not retry a commit that ran out of its time limit', async () => {
    const session = new FakeSession();
    const runner = runnerWith(session);
    session.commitFailures.push(
      new DriverLikeError('MongoServerError', {
        code: 50,
        labels: ['UnknownTransactionCommitResult'],
      }),
    );
    const error = await settleWithin(
      runner.run(async () => 'maybe'),
      10_000,
    );
    expect((error as DriverLikeError).code).toBe(50);
    expect(session.log).toEqual(['start', 'commit']);
  });

  it('runs the whole transaction again after a transient commit error', async () => {
    const session = new FakeSession();
    const runner = runnerWith(session);
    session.commitFailures.push(writeConflict());
    const result = await settleWithin(
      runner.run(async (_session, attempt) => `attempt ${attempt}`),
      1_000,
    );
    expect(result).toBe('attempt 2');
    expect(session.log).toEqual(['start', 'commit', 'start', 'commit']);
  });

  it('aborts and passes on a domain error at once, without retrying', async () => {
    const session = new FakeSession();
    const runner = runnerWith(session);
    let runs = 0;
    const error = await settleWithin(
      runner.run(async () => {
        runs += 1;
        throw new OutOfStockError('v1', 0);
      }),
      1_000,
    );
    expect(error).toBeInstanceOf(OutOfStockError);
    expect(runs).toBe(1);
    expect(session.log).toEqual(['start', 'abort']);
    expect(session.ended).toBe(true);
  });

  it('starts no attempt when the deadline has already passed', async () => {
    const session = new FakeSession();
    const runner = runnerWith(session);
    const error = await settleWithin(
      runner.run(async () => 'late', { deadline: performance.now() - 1 }),
      0,
    );
    expect(error).toBeInstanceOf(RequestDeadlineExceededError);
    expect(session.log).toEqual([]);
    expect(session.ended).toBe(true);
  });
});
