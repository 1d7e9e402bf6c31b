import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createVerifier } from 'fast-jwt';
import { describe, expect, it } from 'vitest';
import { DEVELOPMENT_JWT_SECRET } from '../../../src/config/app-config';
import { developmentSecret, payloadRows, signingKey, tokenSigner, toCsv } from './tokens.mjs';

const repoRoot = join(__dirname, '..', '..', '..');

describe('signingKey', () => {
  it('finds the same development secret the service falls back to', () => {
    expect(signingKey({}, repoRoot)).toEqual({ key: DEVELOPMENT_JWT_SECRET, algorithm: 'HS256' });
    expect(
      developmentSecret(readFileSync(join(repoRoot, 'src/config/app-config.ts'), 'utf8')),
    ).toBe(DEVELOPMENT_JWT_SECRET);
    expect(() => developmentSecret('no secret here')).toThrow(/not found/);
  });

  it('prefers JWT_SECRET, and asks for the private key when the service verifies RS256', () => {
    expect(signingKey({ JWT_SECRET: 'from-env' }, repoRoot)).toEqual({
      key: 'from-env',
      algorithm: 'HS256',
    });
    expect(() => signingKey({ JWT_PUBLIC_KEY: 'pem' }, repoRoot)).toThrow(/--private-key FILE/);
  });

  it('signs RS256 with --private-key, and refuses a file that is not a PEM private key', () => {
    const folder = mkdtempSync(join(tmpdir(), 'stockhold-keys-'));
    try {
      const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const privateFile = join(folder, 'private.pem');
      const publicFile = join(folder, 'public.pem');
      writeFileSync(privateFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
      writeFileSync(publicFile, publicKey.export({ type: 'spki', format: 'pem' }));

      const key = signingKey({ JWT_PUBLIC_KEY: 'set' }, repoRoot, privateFile);
      expect(key.algorithm).toBe('RS256');
      const verify = createVerifier({
        key: readFileSync(publicFile, 'utf8'),
        algorithms: ['RS256'],
        requiredClaims: ['exp', 'sub'],
      });
      expect(verify(tokenSigner(key)('alice'))).toMatchObject({ sub: 'alice' });

      expect(() => signingKey({}, repoRoot, publicFile)).toThrow(/not a PEM private key/);
      expect(() => signingKey({}, repoRoot, join(folder, 'missing.pem'))).toThrow(/missing\.pem/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('tokenSigner', () => {
  it('signs tokens the service accepts: HS256 with sub and exp, roles for an admin', () => {
    const sign = tokenSigner(
      { key: 'a-secret-of-some-length-for-the-test', algorithm: 'HS256' },
      60,
    );
    const verify = createVerifier({
      key: 'a-secret-of-some-length-for-the-test',
      algorithms: ['HS256'],
      requiredClaims: ['exp', 'sub'],
    });
    expect(verify(sign('alice'))).toMatchObject({ sub: 'alice' });
    expect(verify(sign('alice')).roles).toBeUndefined();
    expect(verify(sign('ops', { admin: true }))).toMatchObject({ sub: 'ops', roles: ['admin'] });
  });
});

describe('payloadRows', () => {
  const tokenFor = (id: string) => `token-of-${id}`;

  it('gives every shopper a distinct token', () => {
    const rows = payloadRows({ shoppers: 3 }, tokenFor);
    expect(rows).toEqual([
      { role: 'shopper', id: 'shopper-0', token: 'token-of-shopper-0' },
      { role: 'shopper', id: 'shopper-1', token: 'token-of-shopper-1' },
      { role: 'shopper', id: 'shopper-2', token: 'token-of-shopper-2' },
    ]);
    expect(toCsv(rows, false)).toBe(
      'token\ntoken-of-shopper-0\ntoken-of-shopper-1\ntoken-of-shopper-2\n',
    );
  });

  it('spreads bots evenly among shoppers, each bot with one token', () => {
    const rows = payloadRows({ shoppers: 300, bots: 100 }, tokenFor);
    expect(rows).toHaveLength(400);
    const roles = rows.map((row: { role: string }) => row.role);
    expect(roles.filter((role: string) => role === 'bot')).toHaveLength(100);
    // Every block of four arrivals holds exactly one bot.
    for (let i = 0; i < 400; i += 4)
      expect(roles.slice(i, i + 4).filter((r: string) => r === 'bot')).toHaveLength(1);
    expect(new Set(rows.map((row: { token: string }) => row.token)).size).toBe(400);
    expect(toCsv(rows.slice(0, 4), true)).toBe(
      'role,token\nshopper,token-of-shopper-0\nshopper,token-of-shopper-1\nshopper,token-of-shopper-2\nbot,token-of-bot-0\n',
    );
  });
});
