import { describe, expect, it } from 'vitest';
import {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  CheckpointRefusedError,
  parseCheckpoint,
  serializeCheckpoint,
  type BackfillCheckpoint,
  type BackfillTarget,
} from './backfill-checkpoint';
import { backfillTargetOf } from './backfill-target';

const target: BackfillTarget = { store: 'mongodb', id: 'aaaaaaaaaaaaaaaa' };
const FILE = '/var/lib/stockhold/.backfill-checkpoint.json';

const checkpoint: BackfillCheckpoint = {
  format: CHECKPOINT_FORMAT,
  version: CHECKPOINT_VERSION,
  target,
  lastId: '65f000000000000000000abc',
  processed: 1500,
  written: 1200,
  batchSize: 500,
  startedAt: new Date('2030-01-01T03:00:00.000Z'),
  updatedAt: new Date('2030-01-01T03:00:05.000Z'),
  completedAt: null,
};

function refusal(text: string, expected: BackfillTarget = target): string {
  try {
    parseCheckpoint(text, FILE, expected);
  } catch (error) {
    expect(error).toBeInstanceOf(CheckpointRefusedError);
    return (error as Error).message;
  }
  throw new Error('the checkpoint was accepted');
}

function withFields(fields: Record<string, unknown>): string {
  return JSON.stringify({ ...JSON.parse(serializeCheckpoint(checkpoint)), ...fields });
}

describe('backfill checkpoint', () => {
  it('round-trips through its file text', () => {
    expect(parseCheckpoint(serializeCheckpoint(checkpoint), FILE, target)).toEqual(checkpoint);
    const finished = { ...checkpoint, completedAt: new Date('2030-01-01T04:00:00.000Z') };
    expect(parseCheckpoint(serializeCheckpoint(finished), FILE, target)).toEqual(finished);
    const fresh = { ...checkpoint, lastId: null, processed: 0, written: 0 };
    expect(parseCheckpoint(serializeCheckpoint(fresh), FILE, target)).toEqual(fresh);
  });

  it.each([
    ['an empty file', '', 'is empty'],
    ['a torn write', serializeCheckpoint(checkpoint).slice(0, 40), 'is not valid JSON'],
    [
      'another JSON file',
      '{"name":"stockhold","version":"0.1.0"}',
      'is not a stockhold backfill checkpoint',
    ],
    ['a JSON array', '[]', 'is not a stockhold backfill checkpoint'],
    ['a newer format version', withFields({ version: 2 }), 'has format version 2'],
    ['a negative count', withFields({ processed: -1 }), 'is corrupt (bad processed)'],
    ['a fractional count', withFields({ written: 1.5 }), 'is corrupt (bad written)'],
    ['a bad date', withFields({ updatedAt: 'yesterday' }), 'is corrupt (bad updatedAt)'],
    ['a missing lastId', withFields({ lastId: undefined }), 'is corrupt (bad lastId)'],
    ['progress without a position', withFields({ lastId: null }), 'is corrupt (bad lastId)'],
    [
      'a bad target',
      withFields({ target: { store: 'postgres', id: 'x' } }),
      'is corrupt (bad target)',
    ],
  ])('refuses %s, naming the file and --reset', (_case, text, problem) => {
    const message = refusal(text);
    expect(message).toContain(`The checkpoint file ${FILE} ${problem}`);
    expect(message).toContain('left untouched');
    expect(message).toContain('--reset');
  });

  it('refuses a checkpoint written for another database', () => {
    const other: BackfillTarget = { store: 'mongodb', id: 'bbbbbbbbbbbbbbbb' };
    expect(refusal(serializeCheckpoint(checkpoint), other)).toContain(
      'belongs to another database (mongodb aaaaaaaaaaaaaaaa; this run targets mongodb bbbbbbbbbbbbbbbb)',
    );
    expect(refusal(serializeCheckpoint(checkpoint), { ...target, store: 'memory' })).toContain(
      'belongs to another database',
    );
  });
});

describe('backfill target', () => {
  const of = (mongodbUri?: string) =>
    backfillTargetOf({ mongodbUri, mongoDataDir: '.data/mongo' }, 'mongodb');

  it('depends on the hosts and the database, not on credentials, options or host order', () => {
    const base = of('mongodb://db1:27017,db2:27017/stockhold?replicaSet=rs0');
    expect(
      of('mongodb://user:secret@db2:27017,db1:27017/stockhold?replicaSet=rs0&w=majority'),
    ).toEqual(base);
    expect(of('mongodb://db1:27017,db2:27017/staging?replicaSet=rs0')).not.toEqual(base);
    expect(of('mongodb://db3:27017/stockhold')).not.toEqual(base);
    expect(base.id).toMatch(/^[0-9a-f]{16}$/);
    expect(JSON.stringify(base)).not.toContain('db1');
  });

  it('treats a URI without a database as mongoose does (the database "test")', () => {
    expect(of('mongodb://db1:27017/?replicaSet=rs0')).toEqual(of('mongodb://db1:27017/test'));
  });

  it('tells the embedded database and the in-memory store apart', () => {
    expect(of(undefined)).not.toEqual(of('mongodb://127.0.0.1:27017/stockhold'));
    expect(backfillTargetOf({ mongoDataDir: '.data/mongo' }, 'memory').store).toBe('memory');
  });
});
