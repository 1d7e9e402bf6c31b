import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header a webhook request is signed in: `t=<unix seconds>,v1=<hex HMAC-SHA256>`. */
export const SIGNATURE_HEADER = 'Stockhold-Signature';

/**
 * Signs a delivery: HMAC-SHA256 with the subscription's secret over `<t>.<body>`, the exact bytes
 * sent. The time inside the signed text lets a receiver refuse replays of an old request.
 */
export function signatureHeader(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/**
 * What a receiver does (docs show the same steps): parse `t` and `v1`, refuse a `t` further than
 * `toleranceSeconds` from now, recompute the HMAC over `<t>.<body>` and compare in constant time.
 */
export function verifySignature(
  secret: string,
  body: string,
  header: string,
  nowUnixSeconds: number,
  toleranceSeconds = 300,
): boolean {
  const parts = new Map(
    header.split(',').map((part) => {
      const at = part.indexOf('=');
      return [part.slice(0, at).trim(), part.slice(at + 1).trim()] as const;
    }),
  );
  const t = Number(parts.get('t'));
  const given = parts.get('v1') ?? '';
  if (!Number.isInteger(t) || Math.abs(nowUnixSeconds - t) > toleranceSeconds) return false;
  if (!/^[0-9a-f]{64}$/.test(given)) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  return timingSafeEqual(expected, Buffer.from(given, 'hex'));
}
