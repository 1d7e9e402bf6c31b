import { BadRequestException, NotFoundException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { OutOfStockError, RateLimitExceededError, ValidationFailedError } from './domain-errors';
import { toErrorBody } from './to-error-body';

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
