import type { Types } from 'mongoose';
import { parseObjectId } from './mongo.mappers';
import { STORE_INDEXES, type StoreIndexSpec } from './mongo.schemas';

// Driver error codes and helpers shared by the MongoStore's parts.

export const DUPLICATE_KEY = 11000;
export const SNAPSHOT_UNAVAILABLE = 246;
export const SNAPSHOT_TOO_OLD = 239;

export function errorCode(error: unknown): unknown {
  return typeof error === 'object' && error !== null
    ? (error as { code?: unknown }).code
    : undefined;
}

/** Ids handed back by callers of the walk and the search; a malformed one is a programming error. */
export function requiredObjectId(id: string, name: string): Types.ObjectId {
  const parsed = parseObjectId(id);
  if (!parsed) throw new Error(`${name} must be a 24-hex id`);
  return parsed;
}

export const ID_INDEX: Pick<StoreIndexSpec, 'keys'> & { options: { name: string } } = {
  keys: { _id: 1 },
  options: { name: '_id_' },
};

export function indexNamed(name: string): StoreIndexSpec {
  const spec = STORE_INDEXES.find((index) => index.options.name === name);
  if (!spec) throw new Error(`No store index named ${name}`);
  return spec;
}

/**
 * True for an E11000 on the given index. Servers report the index's key pattern (`keyPattern`);
 * the message names the index too, which covers errors re-wrapped without the extra fields.
 */
export function isDuplicateKeyOn(
  error: unknown,
  index: Pick<StoreIndexSpec, 'keys'> & { options: { name: string } },
): boolean {
  if (errorCode(error) !== DUPLICATE_KEY) return false;
  const { keyPattern, message } = error as { keyPattern?: unknown; message?: unknown };
  if (typeof keyPattern === 'object' && keyPattern !== null) {
    const reported = Object.keys(keyPattern);
    const expected = Object.keys(index.keys);
    return reported.length === expected.length && expected.every((key, i) => reported[i] === key);
  }
  return typeof message === 'string' && message.includes(` index: ${index.options.name} `);
}
