import { createHash } from 'node:crypto';
import * as path from 'node:path';
import type { AppConfig } from '../../config/app-config';
import type { Store } from '../../store/store';
import type { BackfillTarget } from './backfill-checkpoint';

/**
 * Identifies the database a backfill runs against, for its checkpoint: the store kind and a short
 * hash of the hosts and database name (the embedded development MongoDB: its data directory).
 * Credentials and options never enter it, so rotating a password keeps the checkpoint valid, and
 * the checkpoint file names no host.
 */
export function backfillTargetOf(
  config: Pick<AppConfig, 'mongodbUri' | 'mongoDataDir'>,
  storeKind: Store['kind'],
): BackfillTarget {
  if (storeKind === 'memory') return { store: 'memory', id: shortHash('memory') };
  const where = config.mongodbUri
    ? mongoLocation(config.mongodbUri)
    : `embedded:${path.resolve(config.mongoDataDir)}`;
  return { store: 'mongodb', id: shortHash(where) };
}

/** `hosts (sorted)/database`; mongoose uses the database "test" when the URI names none. */
function mongoLocation(uri: string): string {
  const match = /^mongodb(\+srv)?:\/\/(?:[^@/?]*@)?([^/?]*)\/?([^?]*)/.exec(uri);
  const hosts = (match?.[2] ?? uri)
    .toLowerCase()
    .split(',')
    .filter((host) => host !== '')
    .sort()
    .join(',');
  const database = match?.[3] ? decodeURIComponent(match[3]) : 'test';
  return `mongodb${match?.[1] ?? ''}://${hosts}/${database}`;
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}
