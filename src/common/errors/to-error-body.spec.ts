import { BadRequestException, NotFoundException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { OutOfStockError, RateLimitExceededError, ValidationFailedError } from './domain-errors';
import { DriverLikeError } from '../../../test/helpers/driver-like-error';
import { toErrorBody } from './to-error-body';

function expectRetryable503(error: unknown): string {
  const mapped = toErrorBody(error, 'r');
  expect(mapped.body).toMatchObject({
    statusCode: 503,
    code: 'SERVICE_UNAVAILABLE',
    requestId: 'r',
  });
  expect(mapped.headers['Retry-After']).toBe('1');
  return mapped.body.message;
}

describe('toErrorBody', () => {
  it('maps a domain error to its code and status', () => {
    expect(toErrorBody(new OutOfStockError('v1'), 'r1').body).toEqual({
      statusCode: 409,
      code: 'OUT_OF_STOCK',
      message: 'Not enough stock left for variant v1',
      requestId: 'r1',
    });
  });

  it('keeps validation details and Retry-After headers', () => {
    expect(toErrorBody(new ValidationFailedError('bad', ['a', 'b']), 'r').body.details).toEqual([
      'a',
      'b',
    ]);
    expect(toErrorBody(new RateLimitExceededError(7), 'r').headers).toEqual({ 'Retry-After': '7' });
  });

  it('gives framework errors a stable code', () => {
    expect(toErrorBody(new NotFoundException('Cannot GET /x'), 'r').body).toMatchObject({
      statusCode: 404,
      code: 'NOT_FOUND',
    });
    expect(toErrorBody(new BadRequestException('x'), 'r').body.code).toBe('VALIDATION_FAILED');
  });

  it('answers 503 SERVICE_UNAVAILABLE, retryable, when the database cannot be reached', () => {
    const down = Object.assign(new Error('connect ECONNREFUSED'), {
      name: 'MongoServerSelectionError',
    });
    const mapped = toErrorBody(down, 'r');
    expect(mapped.body).toMatchObject({ statusCode: 503, code: 'SERVICE_UNAVAILABLE' });
    expect(mapped.body.message).not.toContain('ECONNREFUSED');
    expect(mapped.headers['Retry-After']).toBe('1');
  });

  it.each([
    'MongoPoolClearedError',
    'MongoServerSelectionError',
    'MongoNetworkError',
    'MongoNetworkTimeoutError',
    'MongoOperationTimeoutError',
  ])('answers a %s with a retryable 503', (className) => {
    expect(expectRetryable503(new DriverLikeError(className))).toBe(
      'The database is unavailable; retry shortly',
    );
  });

  it.each(['TransientTransactionError', 'RetryableWriteError'])(
    'answers an error labelled %s with a retryable 503',
    (label) => {
      // A code this layer does not know, so only the label can make it a 503.
      expectRetryable503(new DriverLikeError('MongoServerError', { code: 2, labels: [label] }));
    },
  );

  it.each([
    [112, 'WriteConflict'],
    [24, 'LockTimeout'],
    [251, 'NoSuchTransaction'],
    [10107, 'NotWritablePrimary'],
    [189, 'PrimarySteppedDown'],
    [11602, 'InterruptedDueToReplStateChange'],
    [91, 'ShutdownInProgress'],
    [50, 'MaxTimeMSExpired'],
  ])('answers a MongoServerError with code %i (%s) and no label with a retryable 503', (code) => {
    // What withTransaction rethrows once it stops retrying: a plain server error.
    expectRetryable503(new DriverLikeError('MongoServerError', { code }));
  });

  it('reads labels from errorLabels when the error has no hasErrorLabel', () => {
    const plain = Object.assign(new Error('x'), {
      name: 'MongoServerError',
      code: 2,
      errorLabels: ['TransientTransactionError'],
    });
    expectRetryable503(plain);
  });

  it('answers a write concern error without inviting a blind retry', () => {
    const message = expectRetryable503(
      new DriverLikeError('MongoWriteConcernError', {
        code: 64,
        message: 'waiting for replication timed out',
      }),
    );
    expect(message).toMatch(/outcome is unknown/);
    expect(message).toMatch(/read the current state before retrying/);
    expect(message).toMatch(/expectedVersion is safe to retry/);
    expect(message).not.toContain('replication');
  });

  it('answers a commit with an unknown result like a write concern error, even with other labels', () => {
    const commit = new DriverLikeError('MongoServerError', {
      code: 91,
      labels: ['RetryableWriteError', 'UnknownTransactionCommitResult'],
    });
    expect(expectRetryable503(commit)).toMatch(/outcome is unknown/);
  });

  it('leaves other driver errors and look-alike codes of other libraries at 500', () => {
    expect(
      toErrorBody(new DriverLikeError('MongoServerError', { code: 11000 }), 'r').body.statusCode,
    ).toBe(500);
    const notMongo = Object.assign(new Error('x'), {
      code: 112,
      errorLabels: ['RetryableWriteError'],
    });
    expect(toErrorBody(notMongo, 'r').body.statusCode).toBe(500);
  });

  it('hides the internals of unexpected errors', () => {
    const mapped = toErrorBody(new TypeError('secret detail'), 'r');
    expect(mapped.body).toEqual({
      statusCode: 500,
      code: 'INTERNAL_ERROR',
      message: 'Internal server error',
      requestId: 'r',
    });
    expect(mapped.unexpected).toBe(true);
  });
});
