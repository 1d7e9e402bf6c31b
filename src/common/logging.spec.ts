import { describe, expect, it } from 'vitest';
import { redactUrl } from './logging';

describe('redactUrl', () => {
  it('keeps a URL without a query as it is', () => {
    expect(redactUrl('/v1/reservations')).toBe('/v1/reservations');
  });

  it('redacts the values of credential-like names, in any case and encoding', () => {
    expect(
      redactUrl('/v1/x?status=active&access_token=abc&TOKEN=d&api%5Fkey=e&password=f&q=shoes'),
    ).toBe(
      '/v1/x?status=active&access_token=[REDACTED]&TOKEN=[REDACTED]&api%5Fkey=[REDACTED]&password=[REDACTED]&q=shoes',
    );
  });

  it('leaves names without a value and undecodable names alone', () => {
    expect(redactUrl('/x?token&%E0%A4%A=1')).toBe('/x?token&%E0%A4%A=1');
  });
});
