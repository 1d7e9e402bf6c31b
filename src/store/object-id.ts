import { randomBytes } from 'node:crypto';

const OBJECT_ID = /^[0-9a-fA-F]{24}$/;

/** True for a 24-character hex string, the shape of a MongoDB ObjectId. */
export function isObjectId(value: unknown): value is string {
  return typeof value === 'string' && OBJECT_ID.test(value);
}

const processUnique = randomBytes(5).toString('hex');
let counter = randomBytes(3).readUIntBE(0, 3);

/**
 * A new ObjectId-shaped id (4-byte seconds, 5-byte process-unique, 3-byte counter), so the memory
 * store hands out ids that look and sort like MongoDB's.
 */
export function newObjectId(now: Date = new Date()): string {
  counter = (counter + 1) % 0xffffff;
  const seconds = Math.floor(now.getTime() / 1000)
    .toString(16)
    .padStart(8, '0');
  return seconds + processUnique + counter.toString(16).padStart(6, '0');
}
