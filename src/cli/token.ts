/**
 * Prints a signed JWT for local use: `npm run -s token -- --sub alice [--admin] [--ttl 3600]`.
 * Signs with JWT_SECRET (HS256, its first key; the development default when unset), or with --private-key FILE
 * (RS256) when the service verifies with JWT_PUBLIC_KEY.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createSigner } from 'fast-jwt';
import { ConfigError, loadConfig } from '../config/app-config';

const USAGE = `Usage: npm run -s token -- --sub USER [--admin] [--ttl SECONDS] [--private-key FILE]

  --sub USER          the user id (JWT sub) the token speaks for (required)
  --admin             add roles: ["admin"] (opens /v1/admin/*)
  --ttl SECONDS       lifetime, default 3600
  --private-key FILE  sign RS256 with this PEM key (when the service has JWT_PUBLIC_KEY)
`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}`);
  process.exit(2);
}

function main(): void {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        sub: { type: 'string' },
        admin: { type: 'boolean', default: false },
        ttl: { type: 'string', default: '3600' },
        'private-key': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (!values.sub) fail('--sub is required');
  const ttl = Number(values.ttl);
  if (!Number.isInteger(ttl) || ttl <= 0) fail('--ttl must be a positive integer');

  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  const privateKeyPath = values['private-key'];
  if (config.jwtPublicKeys.length > 0 && !privateKeyPath) {
    fail('The service verifies RS256 tokens (JWT_PUBLIC_KEY); pass --private-key FILE to sign');
  }
  const sign = privateKeyPath
    ? createSigner({
        key: readFileSync(privateKeyPath, 'utf8'),
        algorithm: 'RS256',
        expiresIn: ttl * 1000,
      })
    : // During a rotation JWT_SECRET is `new,old`: new tokens get the new key.
      createSigner({ key: config.jwtSecrets[0], algorithm: 'HS256', expiresIn: ttl * 1000 });
  const payload: Record<string, unknown> = { sub: values.sub };
  if (values.admin) payload.roles = ['admin'];
  process.stdout.write(`${sign(payload)}\n`);
}

main();
