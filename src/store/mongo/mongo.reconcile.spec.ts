import { MongoServerError } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { RECONCILE_BATCH_SIZE, reconcileRetry } from './mongo.reconcile';

const serverError = (code: number, codeName: string) =>
  new MongoServerError({ ok: 0, code, codeName, errmsg: codeName });

describe('reconcileRetry', () => {
  it('retries SnapshotUnavailable (246) with a new snapshot and the same batch size', () => {
    expect(reconcileRetry(serverError(246, 'SnapshotUnavailable'), 1, 1000)).toEqual({
      batchSize: 1000,
    });
  });

  it('retries SnapshotTooOld (239) with half the batch size, down to a floor', () => {
    const tooOld = serverError(239, 'SnapshotTooOld');
    expect(reconcileRetry(tooOld, 1, RECONCILE_BATCH_SIZE)).toEqual({
      batchSize: RECONCILE_BATCH_SIZE / 2,
    });
    expect(reconcileRetry(tooOld, 2, 500)).toEqual({ batchSize: 250 });
    expect(reconcileRetry(tooOld, 1, 60)).toEqual({ batchSize: 50 });
  });

  it('gives up on the third failure', () => {
    expect(reconcileRetry(serverError(239, 'SnapshotTooOld'), 3, 250)).toBeNull();
    expect(reconcileRetry(serverError(246, 'SnapshotUnavailable'), 3, 1000)).toBeNull();
  });

  it('never retries other errors', () => {
    expect(reconcileRetry(serverError(112, 'WriteConflict'), 1, 1000)).toBeNull();
    expect(reconcileRetry(new Error('boom'), 1, 1000)).toBeNull();
  });
});
