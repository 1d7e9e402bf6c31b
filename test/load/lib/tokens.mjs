import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fastJwt from 'fast-jwt';

/**
 * The secret the service verifies with: JWT_SECRET from the environment, else (as the service does
 * outside production) the development default, read from the service's own config source so the
 * two can never drift apart.
 */
export function signingSecret(env, repoRoot) {
  if (env.JWT_PUBLIC_KEY) {
    throw new Error(
      'The service verifies RS256 (JWT_PUBLIC_KEY); the load runner signs HS256 only',
    );
  }
  if (env.JWT_SECRET) return env.JWT_SECRET;
  return developmentSecret(readFileSync(join(repoRoot, 'src/config/app-config.ts'), 'utf8'));
}

export function developmentSecret(configSource) {
  const match = /DEVELOPMENT_JWT_SECRET\s*=\s*'([^']+)'/.exec(configSource);
  if (!match) throw new Error('DEVELOPMENT_JWT_SECRET not found in src/config/app-config.ts');
  return match[1];
}

/** HS256 signer for `{ sub, exp[, roles] }`, the claims the service requires. */
export function tokenSigner(secret, ttlSeconds = 3600) {
  const sign = fastJwt.createSigner({
    key: secret,
    algorithm: 'HS256',
    expiresIn: ttlSeconds * 1000,
  });
  return (sub, { admin = false } = {}) => sign(admin ? { sub, roles: ['admin'] } : { sub });
}

/**
 * The payload CSV: one row per virtual user. With bots, they are spread evenly among the shoppers
 * so both arrive together from the first second, as at a real sale opening.
 */
export function payloadRows({ shoppers, bots = 0 }, tokenFor) {
  const total = shoppers + bots;
  const rows = [];
  let botIndex = 0;
  let shopperIndex = 0;
  for (let i = 0; i < total; i++) {
    const isBot = Math.floor(((i + 1) * bots) / total) > Math.floor((i * bots) / total);
    if (bots === 0) rows.push({ role: 'shopper', id: `shopper-${shopperIndex++}` });
    else if (isBot) rows.push({ role: 'bot', id: `bot-${botIndex++}` });
    else rows.push({ role: 'shopper', id: `shopper-${shopperIndex++}` });
  }
  return rows.map((row) => ({ ...row, token: tokenFor(row.id) }));
}

export function toCsv(rows, withRole) {
  const header = withRole ? 'role,token' : 'token';
  const lines = rows.map((row) => (withRole ? `${row.role},${row.token}` : row.token));
  return `${[header, ...lines].join('\n')}\n`;
}
