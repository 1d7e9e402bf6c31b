import { describe, expect, it } from 'vitest';
import {
  MIGRATE_USAGE,
  databaseNameOf,
  describeHosts,
  parseMigrateArgs,
  runMigrateCli,
} from '../../src/migrate/migrate.cli';

/** Runs the CLI function as `npm run migrate:*` would, capturing its output. */
async function run(argv: string[], env: Record<string, string>, serverSelectionTimeoutMS = 300) {
  const out: string[] = [];
  const err: string[] = [];
  const started = Date.now();
  const code = await runMigrateCli(
    argv,
    env,
    { out: (line) => out.push(line), err: (line) => err.push(line) },
    {
      serverSelectionTimeoutMS,
    },
  );
  return { code, out: out.join('\n'), err: err.join('\n'), ms: Date.now() - started };
}

const NO_STACK = /\n\s+at /;

describe('migrate CLI failures', () => {
  it('without MONGODB_URI: one clear paragraph, exit 1, nothing else', async () => {
    const result = await run(['status'], {});
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^stockhold migrate: MONGODB_URI is not set, nothing was changed\./);
    expect(result.err).toContain('mongodb://localhost:27017/stockhold?replicaSet=rs0');
    expect(result.err).not.toMatch(NO_STACK);
    expect(result.err.split('\n')).toHaveLength(1);
    expect(result.out).toBe('');
  });

  it('with an unreachable server: names the host and the timeout, exit 1, within the timeout', async () => {
    const result = await run(['status'], { MONGODB_URI: 'mongodb://127.0.0.1:1/stockhold' });
    expect(result.code).toBe(1);
    expect(result.err).toMatch(
      /^stockhold migrate: cannot reach MongoDB at 127\.0\.0\.1:1 \(database stockhold, from MONGODB_URI\) within 0\.3 s: /,
    );
    expect(result.err).toContain('Nothing was changed');
    expect(result.err).not.toMatch(NO_STACK);
    expect(result.ms).toBeLessThan(5000);
  });

  it('never prints the credentials of the URI', async () => {
    const result = await run(['up'], {
      MONGODB_URI: 'mongodb://admin:s3cr3t-pass@127.0.0.1:1/stockhold',
    });
    expect(result.code).toBe(1);
    expect(result.err).toContain('127.0.0.1:1');
    expect(result.err).not.toContain('s3cr3t-pass');
    expect(result.err).not.toContain('admin:');
  });

  it('with a URI that names no database: refuses rather than defaulting to "test"', async () => {
    const result = await run(['up'], { MONGODB_URI: 'mongodb://127.0.0.1:1/?replicaSet=rs0' });
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/names no database/);
  });

  it('with an invalid configuration: lists every problem, as the service would', async () => {
    const result = await run(['up'], {
      MONGODB_URI: 'http://nope',
      PORT: 'eighty',
      NODE_ENV: 'production',
    });
    expect(result.code).toBe(1);
    expect(result.err).toMatch(
      /^stockhold migrate: the configuration is invalid, nothing was changed: /,
    );
    expect(result.err).toContain('PORT must be an integer');
    expect(result.err).toContain(
      'MONGODB_URI must be a mongodb:// or mongodb+srv:// connection string',
    );
    expect(result.err).toContain('JWT_SECRET or JWT_PUBLIC_KEY is required in production');
    expect(result.err).not.toMatch(NO_STACK);
  });

  it('with an unknown command: says so and shows the usage, exit 1', async () => {
    const result = await run(['sideways'], {});
    expect(result.code).toBe(1);
    expect(result.err).toContain('"sideways" is not a command');
    expect(result.err).toContain(MIGRATE_USAGE);
  });

  it('--help: prints the usage without touching the configuration, exit 0', async () => {
    const result = await run(['up', '--help'], {});
    expect(result).toMatchObject({ code: 0, out: MIGRATE_USAGE, err: '' });
  });
});

describe('migrate CLI helpers', () => {
  it('parses exactly one of up, status, down', () => {
    expect(parseMigrateArgs(['up'])).toEqual({ help: false, command: 'up' });
    expect(parseMigrateArgs(['down'])).toEqual({ help: false, command: 'down' });
    expect(() => parseMigrateArgs([])).toThrow(/no command is not a command/);
    expect(() => parseMigrateArgs(['up', 'extra'])).toThrow(/not a command/);
  });

  it.each([
    ['mongodb://mongo:27017/stockhold?replicaSet=rs0', 'mongo:27017', 'stockhold'],
    [
      'mongodb+srv://user:p%40ss@cluster0.example.net/shop?retryWrites=true&w=majority',
      'cluster0.example.net',
      'shop',
    ],
    ['mongodb://a:1,b:2/db%20name', 'a:1,b:2', 'db name'],
    ['mongodb://localhost:27017', 'localhost:27017', undefined],
    ['mongodb://localhost:27017/?directConnection=true', 'localhost:27017', undefined],
  ])('%s → hosts %s, database %s', (uri, hosts, database) => {
    expect(describeHosts(uri)).toBe(hosts);
    expect(databaseNameOf(uri)).toBe(database);
  });
});
