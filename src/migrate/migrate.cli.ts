import * as path from 'node:path';
import * as migrateMongo from 'migrate-mongo';
import { MongoClient, type Db, type MongoClientOptions } from 'mongodb';
import { ConfigError, loadConfig } from '../config/app-config';
import { applyRetention } from './retention-index';

/**
 * `npm run migrate` / `migrate:status` / `migrate:down`: migrate-mongo driven through its
 * programmatic API, against the database named by the service's own validated configuration.
 * Every failure ends in one paragraph on stderr and exit code 1, never a stack trace.
 */

export const MIGRATE_COMMANDS = ['up', 'status', 'down'] as const;
export type MigrateCommand = (typeof MIGRATE_COMMANDS)[number];

export const MIGRATE_USAGE = [
  'Usage: npm run migrate | npm run migrate:status | npm run migrate:down   (node dist/migrate/main.js up|status|down)',
  '  up      apply every pending migration, in file-name order',
  '  status  list every migration and when it was applied, or PENDING',
  '  down    undo the last applied migration',
  'Reads the service configuration; MONGODB_URI is required and must name the database,',
  "e.g. MONGODB_URI='mongodb://localhost:27017/stockhold?replicaSet=rs0'.",
].join('\n');

/** Where migrate-mongo records applied migrations, and its lock against concurrent runs. */
export const CHANGELOG_COLLECTION = 'changelog';
export const LOCK_COLLECTION = 'changelog_lock';
/** A run killed mid-way leaves its lock; MongoDB's TTL monitor removes it after this long. */
export const LOCK_TTL_SECONDS = 600;
export const SERVER_SELECTION_TIMEOUT_MS = 5000;

export interface MigrateIo {
  out(line: string): void;
  err(line: string): void;
}

const STANDARD_IO: MigrateIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

export interface MigrateCliOptions {
  serverSelectionTimeoutMS?: number;
  /** The compiled migrations; beside this file in dist/. */
  migrationsDir?: string;
}

/** A failure whose message is complete as it stands: printed as is, without a stack. */
export class MigrateFailure extends Error {
  override name = 'MigrateFailure';
}

type Env = Record<string, string | undefined>;

export function parseMigrateArgs(
  argv: string[],
): { help: true } | { help: false; command: MigrateCommand } {
  if (argv.includes('--help') || argv.includes('-h') || argv[0] === 'help') return { help: true };
  const [command, ...rest] = argv;
  if (!MIGRATE_COMMANDS.includes(command as MigrateCommand) || rest.length > 0) {
    const given = argv.length === 0 ? 'no command' : `"${argv.join(' ')}"`;
    throw new MigrateFailure(`stockhold migrate: ${given} is not a command.\n${MIGRATE_USAGE}`);
  }
  return { help: false, command: command as MigrateCommand };
}

/** `host:port,…` of a MongoDB URI, without credentials (never print a password). */
export function describeHosts(uri: string): string {
  const afterScheme = uri.replace(/^mongodb(\+srv)?:\/\//, '');
  const authority = afterScheme.split(/[/?]/, 1)[0];
  return authority.slice(authority.lastIndexOf('@') + 1);
}

/** The database named in the URI path, or undefined. */
export function databaseNameOf(uri: string): string | undefined {
  const match = /^mongodb(?:\+srv)?:\/\/[^/?]*\/([^?]*)/.exec(uri);
  const name = match ? decodeURIComponent(match[1]) : '';
  return name === '' ? undefined : name;
}

export interface MigrateTarget {
  uri: string;
  databaseName: string;
  /** Stacks are printed only when LOG_LEVEL asks for debug output. */
  verbose: boolean;
  /** RETENTION_DAYS: every `up` brings the reservations' TTL index in line with it. */
  retentionDays: number;
}

/** Reads MONGODB_URI through loadConfig(), exactly as the service does. */
export function resolveMigrateTarget(env: Env): MigrateTarget {
  let config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      throw new MigrateFailure(
        `stockhold migrate: the configuration is invalid, nothing was changed: ${error.problems.join('; ')}.`,
      );
    }
    throw error;
  }
  if (!config.mongodbUri) {
    throw new MigrateFailure(
      'stockhold migrate: MONGODB_URI is not set, nothing was changed. Migrations run against the MongoDB ' +
        "replica set the service uses; set it first, e.g. MONGODB_URI='mongodb://localhost:27017/stockhold?replicaSet=rs0' " +
        'npm run migrate:status (in the compose stack: docker-compose run --rm migrate).',
    );
  }
  const databaseName = databaseNameOf(config.mongodbUri);
  if (!databaseName) {
    throw new MigrateFailure(
      `stockhold migrate: MONGODB_URI (${describeHosts(config.mongodbUri)}) names no database, nothing was changed. ` +
        'Put it in the path, e.g. mongodb://host:27017/stockhold?replicaSet=rs0, so the migrations and the ' +
        'service cannot end up in different databases (the driver\'s fallback is "test").',
    );
  }
  return {
    uri: config.mongodbUri,
    databaseName,
    verbose: ['debug', 'trace'].includes(config.logLevel),
    retentionDays: config.retentionDays,
  };
}

export function clientOptions(serverSelectionTimeoutMS: number): MongoClientOptions {
  return {
    // Short, so a wrong or unreachable URI fails in seconds instead of the driver's 30 s.
    serverSelectionTimeoutMS,
    connectTimeoutMS: serverSelectionTimeoutMS,
    readPreference: 'primary',
    writeConcern: { w: 'majority' },
    retryWrites: true,
    appName: 'stockhold-migrate',
  };
}

/** Connects and pings the primary; any failure becomes one readable paragraph. */
export async function connectForMigrations(
  target: MigrateTarget,
  serverSelectionTimeoutMS: number,
) {
  const client = new MongoClient(target.uri, clientOptions(serverSelectionTimeoutMS));
  try {
    await client.connect();
    const db = client.db(target.databaseName);
    await db.command({ ping: 1 });
    return { client, db };
  } catch (error) {
    await client.close().catch(() => undefined);
    throw new MigrateFailure(describeConnectionFailure(error, target, serverSelectionTimeoutMS));
  }
}

export function describeConnectionFailure(
  error: unknown,
  target: MigrateTarget,
  timeoutMs: number,
): string {
  const where = `${describeHosts(target.uri)} (database ${target.databaseName}, from MONGODB_URI)`;
  const reason = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: number }).code;
  // 18: AuthenticationFailed; 8000: Atlas's "bad auth".
  if (code === 18 || code === 8000) {
    return `stockhold migrate: MongoDB at ${where} refused the credentials (${reason}); nothing was changed. Check the user and password in MONGODB_URI.`;
  }
  return (
    `stockhold migrate: cannot reach MongoDB at ${where} within ${timeoutMs / 1000} s: ${reason}. ` +
    'Nothing was changed. Check that the server is running and reachable from here and, for a replica set, ' +
    'that replicaSet= names it and its members are resolvable from this machine.'
  );
}

const LOCK_HINT =
  ` Another migrate run holds the lock in the ${LOCK_COLLECTION} collection; if that run died, the lock ` +
  `expires within ${LOCK_TTL_SECONDS / 60} minutes (or delete its document by hand once sure no run is active).`;

async function runCommand(
  command: MigrateCommand,
  db: Db,
  client: MongoClient,
  io: MigrateIo,
  retentionDays: number,
): Promise<void> {
  const status = await migrateMongo.status;
  if (command === 'status') {
    const items = await status(db);
    const width = Math.max(9, ...items.map((item) => item.fileName.length)) + 2;
    io.out(`${'Migration'.padEnd(width)}Applied at`);
    for (const item of items) io.out(`${item.fileName.padEnd(width)}${item.appliedAt}`);
    const pending = items.filter((item) => item.appliedAt === 'PENDING').length;
    io.out(`${items.length - pending} applied, ${pending} pending`);
    return;
  }
  if (command === 'up') {
    const pending = (await status(db)).filter((item) => item.appliedAt === 'PENDING');
    if (pending.length === 0) {
      io.out('Nothing to migrate: every migration is applied.');
      await alignRetention(db, io, retentionDays);
      return;
    }
    io.out(
      `Applying ${pending.length} migrations: ${pending.map((item) => item.fileName).join(', ')}`,
    );
    const up = await migrateMongo.up;
    try {
      const applied = await up(db, client);
      for (const fileName of applied) io.out(`MIGRATED UP: ${fileName}`);
    } catch (error) {
      for (const fileName of (error as { migrated?: string[] }).migrated ?? [])
        io.out(`MIGRATED UP: ${fileName}`);
      throw failure('up', error);
    }
    await alignRetention(db, io, retentionDays);
    return;
  }
  const down = await migrateMongo.down;
  let undone: string[];
  try {
    undone = await down(db, client);
  } catch (error) {
    throw failure('down', error);
  }
  if (undone.length === 0) io.out('Nothing to undo: no migration is applied.');
  for (const fileName of undone) io.out(`MIGRATED DOWN: ${fileName}`);
}

/**
 * A migration runs once, RETENTION_DAYS may change at any time: every `up` re-applies it to the
 * TTL index (the start-up check refuses a database whose index was made for another value).
 */
async function alignRetention(db: Db, io: MigrateIo, retentionDays: number): Promise<void> {
  try {
    const done = await applyRetention(db, retentionDays);
    if (done) io.out(done);
  } catch (error) {
    throw failure('up', error);
  }
}

function failure(command: 'up' | 'down', error: unknown): MigrateFailure {
  const message = (error instanceof Error ? error.message : String(error)).replace(/\.\s*$/, '');
  const hint = /lock is in place/.test(message)
    ? LOCK_HINT
    : command === 'up'
      ? ' Migrations applied before it stay applied (npm run migrate:status); fix the cause and run npm run migrate again.'
      : ' The migration stays applied; fix the cause and run npm run migrate:down again.';
  return new MigrateFailure(`stockhold migrate: ${command} failed. ${message}.${hint}`, {
    cause: error,
  });
}

/** Runs one command; resolves to the process exit code. */
export async function runMigrateCli(
  argv: string[],
  env: Env = process.env,
  io: MigrateIo = STANDARD_IO,
  options: MigrateCliOptions = {},
): Promise<number> {
  let verbose = false;
  let client: MongoClient | undefined;
  try {
    const args = parseMigrateArgs(argv);
    if (args.help) {
      io.out(MIGRATE_USAGE);
      return 0;
    }
    const target = resolveMigrateTarget(env);
    verbose = target.verbose;
    const timeout = options.serverSelectionTimeoutMS ?? SERVER_SELECTION_TIMEOUT_MS;
    const connection = await connectForMigrations(target, timeout);
    client = connection.client;

    const config = await migrateMongo.config;
    // Replaces migrate-mongo's config file: one source of configuration, the service's own.
    config.set({
      mongodb: { url: target.uri, databaseName: target.databaseName },
      migrationsDir: options.migrationsDir ?? path.join(__dirname, 'migrations'),
      migrationFileExtension: '.js',
      changelogCollectionName: CHANGELOG_COLLECTION,
      lockCollectionName: LOCK_COLLECTION,
      lockTtl: LOCK_TTL_SECONDS,
      useFileHash: false,
      moduleSystem: 'commonjs',
    });
    await runCommand(args.command, connection.db, client, io, target.retentionDays);
    return 0;
  } catch (error) {
    if (error instanceof MigrateFailure) io.err(error.message);
    else
      io.err(
        `stockhold migrate: unexpected failure: ${error instanceof Error ? error.message : String(error)}`,
      );
    const cause = error instanceof MigrateFailure ? error.cause : error;
    if (verbose && cause instanceof Error && cause.stack) io.err(cause.stack);
    return 1;
  } finally {
    await client?.close().catch(() => undefined);
  }
}
