import { generateKeyPairSync } from 'node:crypto';
import { createSigner } from 'fast-jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from '../helpers/test-app';

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('auth (HS256)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  async function expect401(headers: Record<string, string>, message?: RegExp): Promise<void> {
    const response = await t.request('GET', '/v1/reservations', { headers });
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ statusCode: 401, code: 'UNAUTHORIZED' });
    if (message) expect(response.body.message).toMatch(message);
  }

  it('refuses a missing token', async () => {
    await expect401({}, /Missing/);
  });

  it('refuses a header that is not Bearer', async () => {
    await expect401({ authorization: `Basic ${Buffer.from('a:b').toString('base64')}` });
  });

  it('refuses a forged signature', async () => {
    const forged = createSigner({
      key: 'another-secret-another-secret-another!',
      expiresIn: 60_000,
    })({ sub: 'mallory' });
    await expect401({ authorization: `Bearer ${forged}` }, /signature/);
  });

  it('refuses alg: none', async () => {
    const token = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ sub: 'mallory', exp: 9_999_999_999 })}.`;
    await expect401({ authorization: `Bearer ${token}` });
  });

  it('refuses an expired token', async () => {
    const expired = createSigner({
      key: TEST_JWT_SECRET,
      clockTimestamp: Date.now() - 7_200_000,
      expiresIn: 60_000,
    })({
      sub: 'alice',
    });
    await expect401({ authorization: `Bearer ${expired}` }, /expired/);
  });

  it('refuses a token without exp', async () => {
    const forever = createSigner({ key: TEST_JWT_SECRET })({ sub: 'alice' });
    await expect401({ authorization: `Bearer ${forever}` }, /exp/);
  });

  it('refuses a token without sub', async () => {
    const anonymous = createSigner({ key: TEST_JWT_SECRET, expiresIn: 60_000 })({ name: 'x' });
    await expect401({ authorization: `Bearer ${anonymous}` });
  });

  it('refuses garbage', async () => {
    await expect401({ authorization: 'Bearer not.a.jwt' });
  });

  it('lets a signed-in shopper read but not administer', async () => {
    const shopper = t.token('bob');
    expect((await t.request('GET', '/v1/reservations', { token: shopper })).status).toBe(200);
    const created = await t.request('POST', '/v1/admin/variants', {
      token: shopper,
      body: { sku: 'NOPE', title: 'x', price: 1, stock: 1 },
    });
    expect(created.status).toBe(403);
    expect(created.body.code).toBe('FORBIDDEN');
    const reconcile = await t.request('GET', '/v1/admin/reconcile', { token: shopper });
    expect(reconcile.status).toBe(403);
  });

  it('refuses an admin route without a token with 401, not 403', async () => {
    expect((await t.request('GET', '/v1/admin/reconcile')).status).toBe(401);
  });

  it('leaves health and docs public', async () => {
    expect((await t.request('GET', '/health/live')).status).toBe(200);
    expect((await t.request('GET', '/health/ready')).status).toBe(200);
    expect((await t.request('GET', '/docs')).status).toBe(200);
  });
});

describe('auth (RS256)', () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { JWT_SECRET: '', JWT_PUBLIC_KEY: publicPem } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('accepts an RS256 token signed with the matching private key', async () => {
    const token = createSigner({ key: privatePem, algorithm: 'RS256', expiresIn: 60_000 })({
      sub: 'carol',
    });
    expect((await t.request('GET', '/v1/reservations', { token })).status).toBe(200);
  });

  it('refuses an HS256 token signed with the public key (algorithm confusion)', async () => {
    const token = createSigner({ key: publicPem, algorithm: 'HS256', expiresIn: 60_000 })({
      sub: 'mallory',
    });
    expect((await t.request('GET', '/v1/reservations', { token })).status).toBe(401);
  });
});
