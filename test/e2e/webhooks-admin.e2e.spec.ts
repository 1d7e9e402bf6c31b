import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/test-app';

/** A public address written as an IP, so no DNS is needed to judge it. */
const PUBLIC_URL = 'https://93.184.215.14/hooks/stock';

describe('webhook subscriptions over HTTP (WEBHOOK_ALLOW_PRIVATE off, the default)', () => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await startTestApp();
    admin = t.token('ops', { admin: true });
  });
  afterAll(async () => {
    await t.close();
  });

  const create = (body: unknown, token = admin) =>
    t.request('POST', '/v1/admin/webhooks', { token, body });

  it('creates with a generated secret shown once; lists and reads without it; deletes', async () => {
    const created = await create({ url: PUBLIC_URL, events: ['stock.low', 'stock.sold_out'] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      url: PUBLIC_URL,
      events: ['stock.low', 'stock.sold_out'],
    });
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const id = created.body.id as string;

    const read = await t.request('GET', `/v1/admin/webhooks/${id}`, { token: admin });
    expect(read.status).toBe(200);
    expect(read.body).toEqual({
      id,
      url: PUBLIC_URL,
      events: ['stock.low', 'stock.sold_out'],
      createdAt: created.body.createdAt,
    });
    const list = await t.request('GET', '/v1/admin/webhooks', { token: admin });
    expect(list.status).toBe(200);
    expect(list.body).toContainEqual(read.body);
    expect(JSON.stringify(list.body)).not.toContain(created.body.secret);

    const deleted = await t.request('DELETE', `/v1/admin/webhooks/${id}`, { token: admin });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual(read.body);
    const gone = await t.request('GET', `/v1/admin/webhooks/${id}`, { token: admin });
    expect(gone.status).toBe(404);
    expect(gone.body.code).toBe('WEBHOOK_NOT_FOUND');
    const again = await t.request('DELETE', `/v1/admin/webhooks/${id}`, { token: admin });
    expect(again.body.code).toBe('WEBHOOK_NOT_FOUND');
  });

  it('keeps a secret given by the caller', async () => {
    const secret = 'my-own-secret-of-some-length';
    const created = await create({ url: PUBLIC_URL, events: ['stock.changed'], secret });
    expect(created.status).toBe(201);
    expect(created.body.secret).toBe(secret);
  });

  it.each([
    ['a loopback address', 'http://127.0.0.1:8080/hook'],
    ['localhost', 'http://localhost/hook'],
    ['a link-local address (cloud metadata)', 'http://169.254.169.254/latest/meta-data'],
    ['a private address', 'https://10.1.2.3/hook'],
    ['an IPv6 loopback', 'http://[::1]/hook'],
    ['an IPv4-mapped loopback', 'http://[::ffff:127.0.0.1]/hook'],
  ])('refuses %s with 400 VALIDATION_FAILED', async (_what, url) => {
    const refused = await create({ url, events: ['stock.changed'] });
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('VALIDATION_FAILED');
    expect(refused.body.details.join(' ')).toMatch(/private|resolve/);
  });

  it.each([
    ['an ftp URL', { url: 'ftp://93.184.215.14/x', events: ['stock.changed'] }],
    ['a relative URL', { url: '/hook', events: ['stock.changed'] }],
    ['an unknown event', { url: PUBLIC_URL, events: ['stock.exploded'] }],
    ['no events', { url: PUBLIC_URL, events: [] }],
    ['a repeated event', { url: PUBLIC_URL, events: ['stock.low', 'stock.low'] }],
    ['a short secret', { url: PUBLIC_URL, events: ['stock.low'], secret: 'short' }],
    ['an unknown field', { url: PUBLIC_URL, events: ['stock.low'], retries: 3 }],
    ['an operator for a url', { url: { $gt: '' }, events: ['stock.low'] }],
  ])('refuses %s with 400 VALIDATION_FAILED', async (_what, body) => {
    const refused = await create(body);
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('VALIDATION_FAILED');
  });

  it('is for admins only, and answers 404 for unknown subscriptions and deliveries', async () => {
    const shopper = t.token('sam');
    expect((await create({ url: PUBLIC_URL, events: ['stock.low'] }, shopper)).status).toBe(403);
    expect((await t.request('GET', '/v1/admin/webhooks', { token: shopper })).status).toBe(403);
    const unknown = '0123456789abcdef01234567';
    const deliveries = await t.request('GET', `/v1/admin/webhooks/${unknown}/deliveries`, {
      token: admin,
    });
    expect(deliveries.body.code).toBe('WEBHOOK_NOT_FOUND');
    const { body } = await create({ url: PUBLIC_URL, events: ['stock.low'] });
    const redrive = await t.request(
      'POST',
      `/v1/admin/webhooks/${body.id}/deliveries/${unknown}/redrive`,
      { token: admin },
    );
    expect(redrive.status).toBe(404);
    expect(redrive.body.code).toBe('DELIVERY_NOT_FOUND');
    const empty = await t.request('GET', `/v1/admin/webhooks/${body.id}/deliveries?status=failed`, {
      token: admin,
    });
    expect(empty.body).toEqual([]);
    const bad = await t.request('GET', `/v1/admin/webhooks/${body.id}/deliveries?status=lost`, {
      token: admin,
    });
    expect(bad.status).toBe(400);
    const malformed = await t.request('GET', '/v1/admin/webhooks/not-an-id', { token: admin });
    expect(malformed.status).toBe(400);
  });
});
