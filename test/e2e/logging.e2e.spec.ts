import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/test-app';

describe('request logs', () => {
  let t: TestApp;
  const lines: string[] = [];
  beforeAll(async () => {
    t = await startTestApp({
      env: { LOG_LEVEL: 'info' },
      logDestination: { write: (chunk: string) => lines.push(chunk) },
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it('writes one JSON line per request with its request id and never the token', async () => {
    const token = t.token('log-alice');
    await t.request('GET', '/v1/reservations', {
      token,
      headers: { 'x-request-id': 'log-test-42' },
    });
    await expect
      .poll(() => lines.some((line) => line.includes('log-test-42')), { timeout: 2000 })
      .toBe(true);
    const entries = lines
      .flatMap((chunk) => chunk.split('\n'))
      .filter((line) => line.includes('log-test-42'))
      .map(
        (line) =>
          JSON.parse(line) as { req: { id: string; url: string }; res: { statusCode: number } },
      );
    expect(entries).toHaveLength(1);
    expect(entries[0].req).toMatchObject({ id: 'log-test-42', url: '/v1/reservations' });
    expect(entries[0].res.statusCode).toBe(200);
    expect(lines.join('')).not.toContain(token);
  });

  it('does not log health probes', async () => {
    await t.request('GET', '/health/live', { headers: { 'x-request-id': 'probe-77' } });
    await t.request('GET', '/v1/reservations', {
      token: t.token('log-bob'),
      headers: { 'x-request-id': 'after-probe-78' },
    });
    await expect
      .poll(() => lines.some((line) => line.includes('after-probe-78')), { timeout: 2000 })
      .toBe(true);
    expect(lines.some((line) => line.includes('probe-77'))).toBe(false);
  });
});
