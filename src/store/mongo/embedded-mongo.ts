import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { DryMongoBinary, MongoBinary, MongoMemoryReplSet } from 'mongodb-memory-server-core';
// Not re-exported from the package index; the package has no exports map, so the path is stable.
import { MongoBinaryDownloadUrl } from 'mongodb-memory-server-core/lib/util/MongoBinaryDownloadUrl';

export interface EmbeddedMongo {
  /** A replica-set connection string (transactions need one). */
  uri: string;
  /** Stops mongod and keeps the data for the next start. */
  stop: () => Promise<void>;
}

export interface EmbeddedMongoOptions {
  /** Kept across restarts: mongod's files go to `<dataDir>/db`, its port to `<dataDir>/embedded-mongo.json`. */
  dataDir: string;
  /**
   * How long finding out whether a mongod binary can be had may take: a local one
   * (MONGOMS_SYSTEM_BINARY, or an earlier download), else the download host answering. Default 5 s.
   * A download that has started and mongod's start-up get their own, longer limits.
   */
  timeoutMs?: number;
}

/** No mongod could be had or started; the message says why, in one or two lines. */
export class EmbeddedMongoUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EmbeddedMongoUnavailableError';
  }
}

const REPLICA_SET_NAME = 'stockhold';
const DEFAULT_TIMEOUT_MS = 5_000;
/** A MongoDB archive is ~100 MB; the library also aborts after 60 s without a byte. */
const DOWNLOAD_TIMEOUT_MS = 10 * 60_000;
/** mongod launch (library: 10 s) + replica-set initiation + primary election (library: 30 s). */
const START_TIMEOUT_MS = 60_000;

/**
 * Starts a single-node replica set (wiredTiger, data under dataDir) through mongodb-memory-server,
 * which itself honours MONGOMS_SYSTEM_BINARY and its other MONGOMS_* settings. Offline and with no
 * local binary it fails within about timeoutMs instead of sitting through the library's download
 * retries (measured on this offline machine: ~20 ms, a DNS failure). Logs nothing; the caller does.
 */
export async function startEmbeddedMongo(options: EmbeddedMongoOptions): Promise<EmbeddedMongo> {
  const dataDir = resolve(options.dataDir);
  const dbPath = join(dataDir, 'db');
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // The binary first: with none, the memory fallback runs and no empty data directory is left.
  await ensureMongodBinary(timeoutMs);
  await mkdir(dbPath, { recursive: true });

  const port = await persistentPort(dataDir);
  const replSet = new MongoMemoryReplSet({
    instanceOpts: [{ dbPath, port, storageEngine: 'wiredTiger' }],
    replSet: { count: 1, name: REPLICA_SET_NAME, storageEngine: 'wiredTiger' },
  });
  try {
    await withDeadline(replSet.start(), START_TIMEOUT_MS, 'starting mongod');
  } catch (error) {
    // The start error is what matters; a failure to stop a half-started mongod adds nothing.
    await replSet.stop({ doCleanup: false }).catch(() => false);
    throw unavailable(`mongod did not start (data in ${dbPath}, port ${port})`, error);
  }
  return {
    uri: replSet.getUri(),
    stop: async () => {
      await replSet.stop({ doCleanup: false, force: false });
    },
  };
}

/**
 * Makes sure mongodb-memory-server has a mongod to start (MONGOMS_SYSTEM_BINARY, an earlier
 * download, or a download now, which honours MONGOMS_VERSION); fails within about timeoutMs when
 * there is none and no download host answers. Also used by tests that start replica sets of their own.
 */
export async function ensureMongodBinary(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
  const localBinary = await withDeadline(
    findBinaryOrDownloadHost(timeoutMs),
    timeoutMs,
    'finding a mongod binary (local, or reachable for download)',
  );
  if (localBinary === undefined) {
    await withDeadline(MongoBinary.getPath(), DOWNLOAD_TIMEOUT_MS, 'downloading mongod').catch(
      (error: unknown) => {
        throw unavailable('the mongod download failed', error);
      },
    );
  }
}

/**
 * The path of a usable local binary, or undefined when one must be downloaded and the download host
 * answers (directly or through the proxy). Throws EmbeddedMongoUnavailableError otherwise.
 */
async function findBinaryOrDownloadHost(timeoutMs: number): Promise<string | undefined> {
  let binaryOptions: Awaited<ReturnType<typeof DryMongoBinary.generateOptions>>;
  let local: string | undefined;
  try {
    binaryOptions = await DryMongoBinary.generateOptions();
    // Throws when MONGOMS_SYSTEM_BINARY names a file that is missing or not executable.
    local = await DryMongoBinary.locateBinary(binaryOptions);
  } catch (error) {
    throw unavailable('no usable mongod binary', error);
  }
  if (local !== undefined) return local;

  let url: URL;
  try {
    url = new URL(await new MongoBinaryDownloadUrl(binaryOptions).getDownloadUrl());
  } catch (error) {
    throw unavailable('no mongod binary, and no download exists for this platform', error);
  }
  const proxy = downloadProxy();
  try {
    await probeDownload(url, proxy, timeoutMs);
  } catch (error) {
    const via = proxy ? ` through the proxy ${proxy.host}` : '';
    throw unavailable(
      `no local mongod binary, and ${url.host} cannot be reached${via} (offline?)`,
      error,
    );
  }
  return undefined;
}

/** The proxy the library's downloader would use (same variables, same order), if any. */
function downloadProxy(): URL | undefined {
  const env = process.env;
  const value =
    env['yarn_https-proxy'] ||
    env.yarn_proxy ||
    env['npm_config_https-proxy'] ||
    env.npm_config_proxy ||
    env.https_proxy ||
    env.http_proxy ||
    env.HTTPS_PROXY ||
    env.HTTP_PROXY;
  if (!value) return undefined;
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/**
 * Asks the download host for the archive's headers (HEAD), directly or through the proxy (CONNECT),
 * and gives up after timeoutMs. A TCP connection alone proves little: sandboxes and firewalls often
 * accept connections and then stay silent, which would leave the real download hanging.
 */
function probeDownload(url: URL, proxy: URL | undefined, timeoutMs: number): Promise<void> {
  const port = Number(url.port || 443);
  return new Promise((resolvePromise, reject) => {
    const request = proxy
      ? httpRequest({
          host: proxy.hostname,
          port: Number(proxy.port || 80),
          method: 'CONNECT',
          path: `${url.hostname}:${port}`,
        })
      : httpsRequest({
          host: url.hostname,
          port,
          path: url.pathname,
          method: 'HEAD',
          // As the library's downloader, which verifies certificates only when npm is told to.
          rejectUnauthorized: false,
        });
    const timer = setTimeout(
      () => finish(new Error(`no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    let settled = false;
    function finish(error?: Error): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      if (error) reject(error);
      else resolvePromise();
    }
    request.once('connect', (response: IncomingMessage, socket: Socket) => {
      socket.destroy();
      finish(
        response.statusCode === 200
          ? undefined
          : new Error(`proxy answered ${response.statusCode}`),
      );
    });
    request.once('response', (response: IncomingMessage) => {
      response.resume();
      const status = response.statusCode ?? 0;
      // Redirects are followed by the downloader; 4xx/5xx mean there is nothing to download.
      finish(status < 400 ? undefined : new Error(`${url.href} answered ${status}`));
    });
    request.once('error', (error) => finish(error));
    request.end();
  });
}

/**
 * The port this data directory's replica set was first configured with. The replica-set config
 * stored in the data names host:port, so a restart on another port would leave the node out of its
 * own set; the port is therefore chosen once and kept next to the data.
 */
async function persistentPort(dataDir: string): Promise<number> {
  const file = join(dataDir, 'embedded-mongo.json');
  try {
    const saved = JSON.parse(await readFile(file, 'utf8')) as { port?: unknown };
    if (typeof saved.port === 'number' && Number.isInteger(saved.port) && saved.port > 0) {
      return saved.port;
    }
  } catch {
    // Missing or unreadable: first start (or a damaged file) — choose a port below.
  }
  const port = await freePort();
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify({ port })}\n`);
  await rename(temporary, file);
  return port;
}

function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolvePromise(port));
    });
  });
}

async function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new EmbeddedMongoUnavailableError(`${what} took longer than ${ms} ms`)),
      ms,
    );
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function unavailable(reason: string, cause: unknown): EmbeddedMongoUnavailableError {
  if (cause instanceof EmbeddedMongoUnavailableError) return cause;
  // One line: the library's messages span several ("…, Details:\n<reason>").
  const detail = (cause instanceof Error ? cause.message : String(cause))
    .replace(/\s+/g, ' ')
    .trim();
  return new EmbeddedMongoUnavailableError(`${reason}: ${detail}`, { cause });
}
