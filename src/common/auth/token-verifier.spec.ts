import { generateKeyPairSync } from 'node:crypto';
import { createSigner } from 'fast-jwt';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/app-config';
import { SystemClock } from '../clock';
import { TokenVerifier } from './token-verifier';

const NEW_SECRET = 'new-secret-of-at-least-thirty-two-characters';
const OLD_SECRET = 'old-secret-of-at-least-thirty-two-characters';
const UNKNOWN_SECRET = 'unknown-secret-of-at-least-thirty-two-chars';

const hs256 = (key: string) =>
  `Bearer ${createSigner({ key, algorithm: 'HS256', expiresIn: 60_000 })({ sub: 'alice' })}`;

const rsaPair = () =>
  generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });

const rs256 = (privateKey: string) =>
  `Bearer ${createSigner({ key: privateKey, algorithm: 'RS256', expiresIn: 60_000 })({ sub: 'alice' })}`;

describe('TokenVerifier during a key rotation', () => {
  it('accepts tokens signed with the new or the old JWT_SECRET, and no other', () => {
    const config = loadConfig({ JWT_SECRET: `${NEW_SECRET},${OLD_SECRET}` });
    const verifier = new TokenVerifier(config, new SystemClock());
    expect(verifier.principalFromHeader(hs256(NEW_SECRET)).userId).toBe('alice');
    expect(verifier.principalFromHeader(hs256(OLD_SECRET)).userId).toBe('alice');
    expect(() => verifier.principalFromHeader(hs256(UNKNOWN_SECRET))).toThrow(
      'Token signature is invalid',
    );
  });

  it('refuses the old secret once it is no longer listed', () => {
    const verifier = new TokenVerifier(loadConfig({ JWT_SECRET: NEW_SECRET }), new SystemClock());
    expect(() => verifier.principalFromHeader(hs256(OLD_SECRET))).toThrow(
      'Token signature is invalid',
    );
  });

  it('still refuses an expired token signed with a listed key, whatever the other key', () => {
    const verifier = new TokenVerifier(
      loadConfig({ JWT_SECRET: `${NEW_SECRET},${OLD_SECRET}` }),
      new SystemClock(),
    );
    const expired = createSigner({ key: OLD_SECRET, algorithm: 'HS256' })({
      sub: 'alice',
      exp: Math.floor(Date.now() / 1000) - 60,
    });
    expect(() => verifier.principalFromHeader(`Bearer ${expired}`)).toThrow('Token has expired');
  });

  it('accepts RS256 tokens from either of two PEM public keys in JWT_PUBLIC_KEY', () => {
    const current = rsaPair();
    const previous = rsaPair();
    const stranger = rsaPair();
    const config = loadConfig({ JWT_PUBLIC_KEY: `${current.publicKey}\n${previous.publicKey}` });
    expect(config.jwtPublicKeys).toHaveLength(2);
    const verifier = new TokenVerifier(config, new SystemClock());
    expect(verifier.principalFromHeader(rs256(current.privateKey)).userId).toBe('alice');
    expect(verifier.principalFromHeader(rs256(previous.privateKey)).userId).toBe('alice');
    expect(() => verifier.principalFromHeader(rs256(stranger.privateKey))).toThrow(
      'Token signature is invalid',
    );
  });
});
