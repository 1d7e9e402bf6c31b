import type { ClientSession } from 'mongodb';
import { CartGroupNotFoundError, ServiceUnavailableError } from '../../common/errors/domain-errors';
import type { CartGroup, CartGroupView } from '../cart.types';
import { idToString, parseObjectId, toReservation } from './mongo.mappers';
import { PurchaseCountRaced } from './mongo.purchase-limits';
import type { CartGroupDoc, ReservationDoc, StoreModels } from './mongo.schemas';

/**
 * What cart holds (mongo.carts.ts) and hold extension (mongo.extension.ts) share on MongoDB:
 * reading a shopper's group and its lines, and re-running an operation whose guarded write found
 * its snapshot stale.
 */

/** How often a whole cart operation is re-run when a guarded write found its snapshot stale. */
export const MAX_ROUNDS = 5;

/** A guarded write matched nothing although the snapshot said it would: run the work again. */
export class SnapshotRaced extends Error {}

/** Runs an operation again (whole new transaction) when a guarded write found its snapshot stale. */
export async function runRounds<T>(operation: () => Promise<T>): Promise<T> {
  for (let round = 1; ; round++) {
    try {
      return await operation();
    } catch (error) {
      const raced = error instanceof SnapshotRaced || error instanceof PurchaseCountRaced;
      if (!raced) throw error;
      if (round >= MAX_ROUNDS) throw new ServiceUnavailableError('Holds kept changing; try again');
    }
  }
}

/** The shopper's group, read in the transaction; another shopper's group looks unknown. */
export async function ownedGroup(
  models: StoreModels,
  groupId: string,
  userId: string,
  session: ClientSession,
): Promise<CartGroupDoc> {
  const id = parseObjectId(groupId);
  const doc = id ? await models.cartGroups.findOne({ _id: id }).session(session).lean() : null;
  // Another shopper's group looks unknown, so existence never leaks.
  if (!doc || doc.userId !== userId) throw new CartGroupNotFoundError(groupId);
  return doc;
}

/**
 * The held lines' reservations, in line order: in the transaction's snapshot with a session,
 * else from the primary.
 */
export async function linesOf(
  models: StoreModels,
  group: CartGroupDoc,
  session?: ClientSession,
): Promise<ReservationDoc[]> {
  const ids = group.lines.flatMap((line) => (line.reservationId ? [line.reservationId] : []));
  const query = models.reservations.find({ _id: { $in: ids } });
  const docs = await (session ? query.session(session) : query.read('primary')).lean();
  const byId = new Map(docs.map((doc) => [idToString(doc._id), doc]));
  return ids.flatMap((id) => byId.get(idToString(id)) ?? []);
}

/** The group with its lines' reservations (read as `linesOf` reads them). */
export async function groupView(
  models: StoreModels,
  group: CartGroupDoc,
  session?: ClientSession,
): Promise<CartGroupView> {
  const lines = await linesOf(models, group, session);
  return { group: toCartGroup(group), reservations: lines.map(toReservation) };
}

export function toCartGroup(doc: CartGroupDoc): CartGroup {
  return {
    groupId: idToString(doc._id),
    userId: doc.userId,
    policy: doc.policy,
    lines: doc.lines.map((line) => ({
      variantId: idToString(line.variantId),
      quantity: line.quantity,
      status: line.status,
      ...(line.reservationId != null && { reservationId: idToString(line.reservationId) }),
      ...(line.code != null && { code: line.code }),
    })),
    ...(doc.idempotencyKey != null && { idempotencyKey: doc.idempotencyKey }),
    ...(doc.requestHash != null && { requestHash: doc.requestHash }),
    createdAt: new Date(doc.createdAt.getTime()),
  };
}
