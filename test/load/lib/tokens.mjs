import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fastJwt from 'fast-jwt';

/**
 * The key to sign with, matching what the service verifies: with `--private-key FILE`, that PEM
 * key (RS256, for a service with JWT_PUBLIC_KEY); else JWT_SECRET from the environment, else (as
 * the service does outside production) the development default, read from the service's own
 * config source so the two can never drift apart.
 */
export function signingKey(env, repoRoot, privateKeyFile) {
  if (privateKeyFile) {
    let pem;
    try {
      pem = readFileSync(privateKeyFile, 'utf8');
    } catch (error) {
      throw new Error(`--private-key ${privateKeyFile}: ${error.message}`);
    }
    if (!pem.includes('PRIVATE KEY-----')) {
      throw new Error(`--private-key ${privateKeyFile} is not a PEM private key`);
    }
    return { key: pem, algorithm: 'RS256' };
  }
  if (env.JWT_PUBLIC_KEY) {
    throw new Error(
      'The service verifies RS256 tokens (JWT_PUBLIC_KEY); pass --private-key FILE to sign them',
    );
  }
  if (env.JWT_SECRET) return { key: env.JWT_SECRET, algorithm: 'HS256' };
  return {
    key: developmentSecret(readFileSync(join(repoRoot, 'src/config/app-config.ts'), 'utf8')),
    algorithm: 'HS256',
  };
}

export function developmentSecret(configSource) {
  const match = /DEVELOPMENT_JWT_SECRET\s*=\s*'([^']+)'/.exec(configSource);
  if (!match) throw new Error('DEVELOPMENT_JWT_SECRET not found in src/config/app-config.ts');
  return match[1];
}

/** A signer for `{ sub, exp[, roles] }`, the claims the service requires. */
export function tokenSigner({ key, algorithm }, ttlSeconds = 3600) {
  const sign = fastJwt.createSigner({ key, algorithm, expiresIn: ttlSeconds * 1000 });
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
