/**
 * Two API instances of the built service in one process, on one in-memory store: what
 * `npm run bench -- --instances 2` runs when no MONGODB_URI is set.
 *
 * Two `node dist/main.js` processes on STORE=memory would each have a store of their own, with
 * its own variant ids: a variant sold out through one would not even exist in the other, so the
 * other's store calls could not be counted against the same stock. Here both instances are
 * complete apps as main.ts builds them (each its own HTTP server on its own port, sold-out gate,
 * stock bus subscription with its own instance id, Redis connections and metrics registry), and
 * only the store — what MongoDB is in a deployment — and the event loop are shared. The bus
 * still goes through Redis pub/sub. Store calls per request do not depend on the event loop;
 * requests per second here are not comparable with one process per instance.
 *
 * Environment: the service's own (PORT is instance A's), plus TWIN_SECOND_PORT for instance B.
 */
import { join } from 'node:path';

interface Closeable {
  listen(options: { port: number; host: string }): Promise<unknown>;
}

/** The parts of the built service this entry uses (loaded from dist/, like node dist/main.js). */
interface BuiltService {
  loadConfigOrExit(name: string): { port: number; host: string };
  createLogger(config: unknown): unknown;
  PinoNestLogger: new (logger: unknown) => unknown;
  MemoryStore: new () => unknown;
  createApp(options: { config: unknown; store: unknown; logger: unknown }): Promise<Closeable>;
  Logger: { overrideLogger(logger: unknown): void };
}

async function loadBuilt(dist: string): Promise<BuiltService> {
  await import('reflect-metadata');
  const [config, logging, memory, factory, nest] = await Promise.all([
    import(join(dist, 'config', 'app-config.js')),
    import(join(dist, 'common', 'logging.js')),
    import(join(dist, 'store', 'memory', 'memory.store.js')),
    import(join(dist, 'app.factory.js')),
    import('@nestjs/common'),
  ]);
  return {
    loadConfigOrExit: config.loadConfigOrExit,
    createLogger: logging.createLogger,
    PinoNestLogger: logging.PinoNestLogger,
    MemoryStore: memory.MemoryStore,
    createApp: factory.createApp,
    Logger: nest.Logger,
  } as BuiltService;
}

async function main(): Promise<void> {
  const built = await loadBuilt(join(process.cwd(), 'dist'));
  const secondPort = Number(process.env.TWIN_SECOND_PORT);
  if (!Number.isInteger(secondPort) || secondPort <= 0)
    throw new Error('TWIN_SECOND_PORT is required');
  const config = built.loadConfigOrExit('stockhold');
  const logger = built.createLogger(config);
  built.Logger.overrideLogger(new built.PinoNestLogger(logger));
  const store = new built.MemoryStore();
  // B first: A's port is the one the bench polls, so it answers only once both are listening.
  for (const port of [secondPort, config.port]) {
    const app = await built.createApp({ config, store, logger });
    await app.listen({ port, host: config.host });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `twin service failed to start: ${(error as Error)?.stack ?? String(error)}\n`,
  );
  process.exit(1);
});
