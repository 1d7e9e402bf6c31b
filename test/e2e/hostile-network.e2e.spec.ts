import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { abortMidBody, parseRawResponse, rawRequest } from '../helpers/raw-http';
import { createVariant, startTestApp, type TestApp } from '../helpers/test-app';

/** What a hostile network can do before a request reaches a controller (issue 13, items 2–4, 7, 8). */
describe('hostile networks', () => {
  const apps: TestApp[] = [];
  const start = async (options: Parameters<typeof startTestApp>[0]) => {
    const app = await startTestApp(options);
    apps.push(app);
    return app;
  };
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  const expectErrorShape = (
    answer: { status: number; headers: Record<string, string>; body: unknown },
    status: number,
    code: string,
  ) => {
    expect(answer.status).toBe(status);
    expect(answer.body).toMatchObject({ statusCode: status, code, message: expect.any(String) });
    const requestId = (answer.body as { requestId: string }).requestId;
    expect(requestId).toMatch(/\S{8,}/);
    expect(answer.headers['x-request-id']).toBe(requestId);
  };

  /** Five requests from one client behind the proxy, each with a different forged chain start. */
  async function statusesWithForgedChains(t: TestApp, chainEnd: string): Promise<number[]> {
    const token = t.token(`xff-${randomUUID()}`);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const forged = `${i}.${i}.${i}.${i}, 192.0.2.${i}`;
      const response = await t.request('GET', '/v1/reservations', {
        token,
        headers: { 'x-forwarded-for': `${forged}, ${chainEnd}` },
      });
      statuses.push(response.status);
    }
    return statuses;
  }

  it('with TRUST_PROXY=true keys the per-IP limit on the address the proxy appended, not the forged start', async () => {
    const t = await start({ env: { GLOBAL_RATE_LIMIT: '3', TRUST_PROXY: 'true' } });
    const client = `198.51.100.${Math.floor(Math.random() * 250) + 1}`;
    expect(await statusesWithForgedChains(t, client)).toEqual([200, 200, 200, 429, 429]);
  });

  it('with a hop count trusts exactly that many proxies', async () => {
    const t = await start({ env: { GLOBAL_RATE_LIMIT: '3', TRUST_PROXY: '2' } });
    // Two proxies: the client is the second address from the right; the last is the inner proxy.
    const client = `203.0.113.${Math.floor(Math.random() * 250) + 1}`;
    expect(await statusesWithForgedChains(t, `${client}, 10.0.0.2`)).toEqual([
      200, 200, 200, 429, 429,
    ]);
  });

  it('with a proxy list takes the rightmost address that is not a listed proxy', async () => {
    const t = await start({
      env: { GLOBAL_RATE_LIMIT: '3', TRUST_PROXY: '127.0.0.1, 10.0.0.0/8, ::1' },
    });
    const client = `198.18.0.${Math.floor(Math.random() * 250) + 1}`;
    expect(await statusesWithForgedChains(t, `${client}, 10.20.30.40, 10.1.1.1`)).toEqual([
      200, 200, 200, 429, 429,
    ]);
  });

  it('closes a socket that stalls mid-body with 408 in the error shape', async () => {
    const t = await start({ env: { REQUEST_TIMEOUT_MS: '500' } });
    const exchange = await rawRequest(
      t.url,
      'POST /v1/reservations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
        'Content-Length: 100\r\n\r\n{"variantId":',
      5000,
    );
    expect(exchange.closed).toBe(true);
    expect(exchange.elapsedMs).toBeLessThan(3000);
    expectErrorShape(parseRawResponse(exchange.response), 408, 'REQUEST_TIMEOUT');
  });

  it('closes an idle connection after CONNECTION_TIMEOUT_MS', async () => {
    const t = await start({ env: { CONNECTION_TIMEOUT_MS: '300' } });
    const exchange = await rawRequest(t.url, '', 4000);
    expect(exchange.closed).toBe(true);
    expect(exchange.elapsedMs).toBeLessThan(2000);
  });

  it('answers oversized headers with 431 in the error shape', async () => {
    const t = await start({});
    const exchange = await rawRequest(
      t.url,
      `GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    expectErrorShape(parseRawResponse(exchange.response), 431, 'HEADERS_TOO_LARGE');
  });

  it('answers malformed HTTP with 400 in the error shape', async () => {
    const t = await start({});
    const exchange = await rawRequest(t.url, 'NOT HTTP AT ALL\r\n\r\n');
    expectErrorShape(parseRawResponse(exchange.response), 400, 'VALIDATION_FAILED');
  });

  it('answers a URL that cannot be decoded with 400 in the error shape', async () => {
    const t = await start({});
    const response = await t.request('GET', '/v1/variants/%E0%A4%A', { token: t.token('u') });
    expectErrorShape(
      { ...response, headers: Object.fromEntries(response.headers) },
      400,
      'VALIDATION_FAILED',
    );
  });

  it('answers an overlong path parameter with 414 in the error shape, without echoing it', async () => {
    const t = await start({});
    const response = await t.request('GET', `/v1/variants/${'a'.repeat(300)}`, {
      token: t.token('u'),
    });
    expectErrorShape(
      { ...response, headers: Object.fromEntries(response.headers) },
      414,
      'URI_TOO_LONG',
    );
    expect(response.body.message).not.toContain('aaaa');
  });

  it('refuses text/plain and form bodies with 415 before parsing them', async () => {
    const t = await start({});
    for (const [contentType, rawBody] of [
      ['text/plain', '{"variantId":"aaaaaaaaaaaaaaaaaaaaaaaa","quantity":1}'],
      ['application/x-www-form-urlencoded', 'variantId=aaaaaaaaaaaaaaaaaaaaaaaa&quantity=1'],
      ['multipart/form-data; boundary=x', '--x--'],
    ]) {
      const response = await t.request('POST', '/v1/reservations', {
        token: t.token('media'),
        rawBody,
        headers: { 'content-type': contentType },
      });
      expect(response.status, contentType).toBe(415);
      expect(response.body).toMatchObject({ statusCode: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    }
  });

  it('treats an empty body as none, whatever its Content-Type', async () => {
    const t = await start({});
    const shopper = t.token('empty-form');
    const variantId = await createVariant(t, 3);
    const held = await t.request('POST', '/v1/reservations', {
      token: shopper,
      body: { variantId, quantity: 1 },
    });
    const commit = await t.request('POST', `/v1/reservations/${held.body.id}/commit`, {
      token: shopper,
      rawBody: '',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(commit.status).toBe(200);
    expect(commit.body.status).toBe('committed');
    // A route that needs a body still says what is missing.
    const empty = await t.request('POST', '/v1/reservations', { token: shopper, rawBody: '' });
    expect(empty.status).toBe(400);
    expect(empty.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
  });

  it('logs a client that goes away mid-body at debug, never as an error', async () => {
    const lines: string[] = [];
    const t = await start({
      env: { LOG_LEVEL: 'debug' },
      logDestination: { write: (chunk: string) => lines.push(chunk) },
    });
    for (let i = 0; i < 3; i += 1) await abortMidBody(t.url, '/v1/reservations', t.token('gone'));
    const entries = () =>
      lines
        .flatMap((chunk) => chunk.split('\n'))
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { level: number; msg?: string });
    await expect
      .poll(() => entries().filter((entry) => entry.msg === 'client went away').length, {
        timeout: 3000,
      })
      .toBe(3);
    expect(entries().filter((entry) => entry.level >= 40)).toEqual([]);
  });

  it('redacts the values of credential-like query parameters in request logs', async () => {
    const lines: string[] = [];
    const t = await start({
      env: { LOG_LEVEL: 'info' },
      logDestination: { write: (chunk: string) => lines.push(chunk) },
    });
    const secret = t.token('query-leak');
    await t.request(
      'GET',
      `/v1/reservations?status=active&access_token=${secret}&Token=${secret}&api_key=k-123456`,
      { headers: { 'x-request-id': 'redact-1' } },
    );
    await expect.poll(() => lines.join('').includes('redact-1'), { timeout: 2000 }).toBe(true);
    const logged = lines.join('');
    expect(logged).not.toContain(secret);
    expect(logged).not.toContain('k-123456');
    expect(logged).toContain('status=active');
    expect(logged).toContain('access_token=[REDACTED]');
  });
});
