import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.join(__dirname, '../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

/** Every variable the config loader reads, taken from its source so a new one cannot be forgotten. */
const CONFIG_VARIABLES = [
  ...read('src/config/app-config.ts').matchAll(/read\(\s*'([A-Z0-9_]+)'/g),
].map((match) => match[1]);

describe('deployment files', () => {
  it('finds the config variables (sanity check of the extraction)', () => {
    expect(CONFIG_VARIABLES).toEqual(
      expect.arrayContaining([
        'MONGODB_URI',
        'REDIS_URL',
        'JWT_SECRET',
        'RESERVATION_TTL_SECONDS',
        'WORKERS',
        'LOG_LEVEL',
      ]),
    );
  });

  it('.env.example lists every configuration variable and holds no secret', () => {
    const example = read('.env.example');
    for (const name of CONFIG_VARIABLES)
      expect(example, name).toMatch(new RegExp(`^${name}=`, 'm'));
    expect(example).toMatch(/^JWT_SECRET=$/m);
  });

  it('docker-compose.yml hands every service setting to the containers', () => {
    const compose = read('docker-compose.yml');
    // Not passed through: WORKERS (set per service), the embedded development database's directory.
    const perService = new Set(['WORKERS', 'MONGO_DATA_DIR']);
    for (const name of CONFIG_VARIABLES.filter((each) => !perService.has(each))) {
      expect(compose, name).toMatch(new RegExp(`^  ${name}: `, 'm'));
    }
    // No default secret: an empty value makes the service refuse to boot in production.
    expect(compose).toContain('JWT_SECRET: ${JWT_SECRET:-}');
    expect(compose).toMatch(/WORKERS: ['"]off['"]/);
    expect(compose).toContain('condition: service_completed_successfully');
    expect(compose).toMatch(/--appendfsync\s+- everysec\s+- --maxmemory-policy\s+- noeviction/);
  });

  it('the runtime image has production dependencies only and runs as a non-root user', () => {
    const runtime = read('Dockerfile').split(/^FROM .* AS runtime$/m)[1] ?? '';
    expect(runtime).toContain('npm ci --omit=dev');
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toContain('ENV NODE_ENV=production');
  });
});
