import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signatureHeader, verifySignature } from './webhook-signature';

describe('webhook signatures', () => {
  const secret = 'whsec_test';
  const body = '{"id":"v:1:stock.changed"}';

  it('is t=<unix>,v1=<hex HMAC-SHA256 of "t.body">', () => {
    const expected = createHmac('sha256', secret).update(`1700000000.${body}`).digest('hex');
    expect(signatureHeader(secret, body, 1_700_000_000)).toBe(`t=1700000000,v1=${expected}`);
  });

  it('verifies the right secret and body within the tolerance, and nothing else', () => {
    const header = signatureHeader(secret, body, 1_700_000_000);
    expect(verifySignature(secret, body, header, 1_700_000_100)).toBe(true);
    expect(verifySignature('other', body, header, 1_700_000_100)).toBe(false);
    expect(verifySignature(secret, `${body} `, header, 1_700_000_100)).toBe(false);
    expect(verifySignature(secret, body, header, 1_700_000_301)).toBe(false);
    expect(verifySignature(secret, body, 't=1700000000,v1=zz', 1_700_000_000)).toBe(false);
    expect(verifySignature(secret, body, 'garbage', 1_700_000_000)).toBe(false);
  });
});
