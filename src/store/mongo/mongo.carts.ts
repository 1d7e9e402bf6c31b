import type { ClientSession } from 'mongodb';
import { Types } from 'mongoose';
import {
  CartRefusedError,
  DuplicateReservationError,
  MaxReservationsExceededError,
  ReservationExpiredError,
  ReservationNotActiveError,
  VariantNotFoundError,
} from '../../common/errors/domain-errors';
import type {
  CartGroupView,
  CartHoldResult,
  CartLineOutcome,
  GroupChange,
  GroupCommand,
  ReserveCartCommand,
} from '../cart.types';
import { sumCartLines } from '../cart-lines';
import type { Inventory } from '../store.types';
import { isExpired } from '../hold-extension';
import { idToString, parseObjectId, toInventory, toReservation } from './mongo.mappers';
import {
  addUnits,
  checkPurchaseLimit,
  givePurchaseBack,
  readPurchaseState,
} from './mongo.purchase-limits';
import type { CartGroupDoc, ReservationDoc, StoreModels } from './mongo.schemas';
import type { TransactionRunner } from './transactions';
import {
  groupView,
  linesOf,
  ownedGroup,
  runRounds,
  SnapshotRaced,
  toCartGroup,
} from './mongo.cart-groups';
import type { MongoWaitlist } from './mongo.waitlist';
import type { WaitlistNotice } from '../waitlist.types';
import { applyStockChange } from './mongo.ledger';
import { MOVEMENT_DELTAS, shopperContext, type MovementContext } from '../ledger';

const DUPLICATE_KEY = 11000;

/**
 * Cart holds and group commit/release on MongoDB (extension: mongo.extension.ts): one
 * transaction per cart (snapshot / majority / primary, TransactionRunner), `{ session }` on every
 * operation, and the hot inventory documents written last, in ascending variantId order, so two
 * carts never wait on each other in opposite orders.
 *
 * Pattern: every check reads in the transaction's snapshot first (reads take no locks), then every
 * write repeats its condition in its filter. In a snapshot transaction a write to a document that
 * another transaction changed after our snapshot fails with WriteConflict, labelled
 * TransientTransactionError, and TransactionRunner re-runs the callback (the rule of the driver's
 * withTransaction in mongodb/lib/sessions.js, within the request's deadline) — so a
 * decision taken on the snapshot is still true when its write lands. The guards only matter if
 * that ever were not so; they raise SnapshotRaced and the whole operation runs again.
 */
export class MongoCarts {
  constructor(
    private readonly models: StoreModels,
    private readonly transactions: TransactionRunner,
    private readonly waitlist: MongoWaitlist,
  ) {}

  async reserveCart(cart: ReserveCartCommand): Promise<CartHoldResult> {
    const command = { ...cart, lines: sumCartLines(cart.lines) };
    const variantIds = command.lines.map((line) => {
      const id = parseObjectId(line.variantId);
      if (!id) throw new VariantNotFoundError(line.variantId);
      return id;
    });
    return runRounds(() =>
      this.transactions.run((session) => this.reserveCartAttempt(command, variantIds, session), {
        deadline: command.deadline,
      }),
    );
  }

  private async reserveCartAttempt(
    command: ReserveCartCommand,
    variantIds: Types.ObjectId[],
    session: ClientSession,
  ): Promise<CartHoldResult> {
    const { userId, lines, policy, now, maxActiveReservations: max } = command;

    // Checks, in the reference model's order, all on the snapshot. 1. Duplicate and cap (I3).
    const holdsDoc = await this.models.userholds.findOne({ _id: userId }).session(session).lean();
    const holds = holdsDoc?.holds ?? [];
    for (const [i, variantId] of variantIds.entries()) {
      if (holds.some((hold) => hold.variantId.equals(variantId))) {
        throw new DuplicateReservationError(lines[i].variantId);
      }
    }
    if (holds.length + lines.length > max) throw new MaxReservationsExceededError(max);
    // 2. The idempotency key (the caller re-reads it to tell a replay from a conflict).
    if (command.idempotencyKey !== undefined) {
      const taken = await this.models.cartGroups
        .exists({ userId, idempotencyKey: command.idempotencyKey })
        .session(session);
      if (taken) throw new DuplicateReservationError(lines[0].variantId);
    }
    // 3. Unknown variants, 4. purchase limits (I6), over every line whatever its stock.
    const purchases = await readPurchaseState(this.models, session, userId, variantIds);
    const variants = lines.map((line) => {
      const variant = purchases.variants.get(line.variantId);
      if (!variant) throw new VariantNotFoundError(line.variantId);
      return variant;
    });
    const counted = lines.map((line) => purchases.units.get(line.variantId) ?? 0);
    lines.forEach((line, i) => checkPurchaseLimit(variants[i], counted[i], line.quantity));
    // 5. Stock, line by line, under the policy.
    const stockDocs = await this.models.inventory
      .find({ variantId: { $in: variantIds } })
      .session(session)
      .lean();
    const available = new Map(stockDocs.map((doc) => [idToString(doc.variantId), doc]));
    const inStock = lines.map(
      (line) => (available.get(line.variantId)?.availableStock ?? 0) >= line.quantity,
    );
    const heldCount = inStock.filter(Boolean).length;
    if (policy === 'all_or_nothing' && heldCount < lines.length) {
      throw new CartRefusedError(
        'Not every line of the cart has stock, so nothing was held',
        lines.map((line, i) => ({
          ...line,
          status: 'refused',
          code: inStock[i] ? 'NOT_ATTEMPTED' : 'OUT_OF_STOCK',
        })),
      );
    }
    if (heldCount === 0) {
      throw new CartRefusedError(
        'No line of the cart has stock, so nothing was held',
        lines.map((line) => ({ ...line, status: 'refused', code: 'OUT_OF_STOCK' })),
      );
    }

    // Writes. A fresh id per attempt: nothing of an aborted attempt survives into the next one.
    const groupId = new Types.ObjectId();
    const held = lines
      .map((line, i) => ({
        line,
        i,
        variantId: variantIds[i],
        reservationId: new Types.ObjectId(),
      }))
      .filter(({ i }) => inStock[i]);

    // a. The hold list: the same guard as a single hold, for all held lines at once.
    try {
      const pushed = await this.models.userholds.updateOne(
        {
          _id: userId,
          'holds.variantId': { $nin: held.map((h) => h.variantId) },
          // At most max − held.length holds now ⇔ no element at index max − held.length.
          [`holds.${max - held.length}`]: { $exists: false },
        },
        {
          $push: {
            holds: {
              $each: held.map((h) => ({
                reservationId: h.reservationId,
                variantId: h.variantId,
                quantity: h.line.quantity,
              })),
            },
          },
        },
        { session, upsert: true, setDefaultsOnInsert: false },
      );
      if (pushed.matchedCount === 0 && pushed.upsertedCount === 0) throw new SnapshotRaced();
    } catch (error) {
      // No match on an existing document makes the upsert insert a second `_id: userId`.
      if (isDuplicateKey(error)) throw new SnapshotRaced();
      throw error;
    }

    // b. The group, whose unique {userId, idempotencyKey} index backs the key check above.
    const outcomes: CartLineOutcome[] = lines.map((line, i) => {
      const h = held.find((entry) => entry.i === i);
      return h
        ? { ...line, status: 'held', reservationId: idToString(h.reservationId) }
        : { ...line, status: 'refused', code: 'OUT_OF_STOCK' };
    });
    const groupDoc: CartGroupDoc = {
      _id: groupId,
      userId,
      policy,
      lines: outcomes.map((outcome, i) => ({
        variantId: variantIds[i],
        quantity: outcome.quantity,
        status: outcome.status,
        ...(outcome.reservationId !== undefined && {
          reservationId: new Types.ObjectId(outcome.reservationId),
        }),
        ...(outcome.code !== undefined && { code: outcome.code }),
      })),
      ...(command.idempotencyKey !== undefined && { idempotencyKey: command.idempotencyKey }),
      ...(command.requestHash !== undefined && { requestHash: command.requestHash }),
      createdAt: now,
    };
    try {
      await this.models.cartGroups.insertOne(groupDoc, { session });
    } catch (error) {
      if (isDuplicateKey(error)) throw new DuplicateReservationError(lines[0].variantId);
      throw error;
    }

    // c. The reservations: ordinary holds carrying the groupId.
    const reservationDocs: ReservationDoc[] = held.map((h) => ({
      _id: h.reservationId,
      userId,
      variantId: h.variantId,
      quantity: h.line.quantity,
      status: 'active',
      expiresAt: command.expiresAt,
      groupId,
      extensions: 0,
      createdAt: now,
      updatedAt: now,
    }));
    try {
      // One round trip; ordered, so the first failure stops it (and the transaction aborts).
      await this.models.reservations.insertMany(reservationDocs, { session, ordered: true });
    } catch (error) {
      // The partial unique {userId, variantId} index: a second active hold on a variant (I3).
      if (isDuplicateKey(error)) throw new SnapshotRaced();
      throw error;
    }

    // d. Purchase counters (per shopper, never the hot document).
    for (const h of held) {
      await addUnits(this.models, session, userId, h.variantId, counted[h.i], h.line.quantity);
    }

    // e. LAST, each line's ledger movement and hot inventory document, in ascending variantId
    // order (mongo.ledger.ts: the movement first, seq from the snapshot).
    const inventories = new Map<string, Inventory>();
    const context = shopperContext(command);
    for (const h of [...held].sort((a, b) => compareIds(a.variantId, b.variantId))) {
      const quantity = h.line.quantity;
      const updated = await applyStockChange(
        this.models,
        session,
        {
          variantId: h.variantId,
          type: 'reserved',
          delta: MOVEMENT_DELTAS.reserved(quantity),
          reservation: { _id: h.reservationId, groupId, userId },
          context,
          now,
        },
        (current) => {
          if (current.availableStock < quantity) throw new SnapshotRaced();
        },
      );
      inventories.set(h.line.variantId, toInventory(updated));
    }

    return {
      group: toCartGroup(groupDoc),
      reservations: reservationDocs.map(toReservation),
      inventories: held.map((h) => inventories.get(h.line.variantId)!),
    };
  }

  async findGroup(groupId: string): Promise<CartGroupView | null> {
    const id = parseObjectId(groupId);
    if (!id) return null;
    const doc = await this.models.cartGroups.findOne({ _id: id }).read('primary').lean();
    return doc ? groupView(this.models, doc) : null;
  }

  async findGroupByIdempotencyKey(userId: string, key: string): Promise<CartGroupView | null> {
    const doc = await this.models.cartGroups
      .findOne({ userId, idempotencyKey: key })
      .read('primary')
      .lean();
    return doc ? groupView(this.models, doc) : null;
  }

  async commitGroup(command: GroupCommand): Promise<GroupChange> {
    const { userId, now } = command;
    return runRounds(() =>
      this.transactions.run(async (session) => {
        const group = await ownedGroup(this.models, command.groupId, userId, session);
        const lines = await linesOf(this.models, group, session);
        const expired = lines.find((r) => isExpired(toReservation(r), now));
        if (expired) throw new ReservationExpiredError(idToString(expired._id));
        const active = lines.filter((r) => r.status === 'active');
        if (active.length === 0) {
          if (lines.some((r) => r.status === 'committed')) return unchanged(group, lines);
          throw new ReservationNotActiveError(idToString(group._id), 'released');
        }
        await this.endLines(session, active, 'committed', now);
        await this.pullHolds(session, userId, active);
        const inventories = await this.changeStock(session, active, 'commit', {
          now,
          context: shopperContext(command),
        });
        return { ...(await groupView(this.models, group, session)), inventories, changed: true };
      }),
    );
  }

  async releaseGroup(command: GroupCommand): Promise<GroupChange> {
    const { userId, now } = command;
    const { change, notices } = await runRounds(() =>
      this.transactions.run(async (session) => {
        // Per attempt: an aborted attempt's offers never happened.
        const notices: WaitlistNotice[] = [];
        const group = await ownedGroup(this.models, command.groupId, userId, session);
        const lines = await linesOf(this.models, group, session);
        const active = lines.filter((r) => r.status === 'active');
        if (active.length === 0) return { change: unchanged(group, lines), notices };
        await this.endLines(session, active, 'released', now);
        await this.pullHolds(session, userId, active);
        for (const line of active) await givePurchaseBack(this.models, session, line);
        const inventories = await this.changeStock(session, active, 'release', {
          now,
          context: shopperContext(command),
          notices,
        });
        const view = await groupView(this.models, group, session);
        return { change: { ...view, inventories, changed: true }, notices };
      }),
    );
    this.waitlist.committed(notices);
    return change;
  }

  /** active → status for every line, each guarded on still being active (and, to commit, not due). */
  private async endLines(
    session: ClientSession,
    lines: ReservationDoc[],
    status: 'committed' | 'released',
    now: Date,
  ): Promise<void> {
    const result = await this.models.reservations.updateMany(
      {
        _id: { $in: lines.map((line) => line._id) },
        status: 'active',
        ...(status === 'committed' && { expiresAt: { $gt: now } }),
      },
      { $set: { status, updatedAt: now, endedAt: now } },
      { session },
    );
    if (result.modifiedCount !== lines.length) throw new SnapshotRaced();
  }

  private async pullHolds(
    session: ClientSession,
    userId: string,
    lines: ReservationDoc[],
  ): Promise<void> {
    await this.models.userholds.updateOne(
      { _id: userId },
      { $pull: { holds: { reservationId: { $in: lines.map((line) => line._id) } } } },
      { session },
    );
  }

  /** LAST: each line's movement and inventory, ascending variantId (I5: version +1, needsSync; I7). */
  private async changeStock(
    session: ClientSession,
    lines: ReservationDoc[],
    kind: 'commit' | 'release',
    { now, context, notices }: { now: Date; context: MovementContext; notices?: WaitlistNotice[] },
  ): Promise<Inventory[]> {
    const inventories: Inventory[] = [];
    for (const line of [...lines].sort((a, b) => compareIds(a.variantId, b.variantId))) {
      const q = line.quantity;
      // An active reservation always has its inventory while I2 holds (else VariantNotFoundError).
      const inventory = await applyStockChange(this.models, session, {
        variantId: line.variantId,
        type: kind === 'commit' ? 'committed' : 'released',
        delta: kind === 'commit' ? MOVEMENT_DELTAS.committed(q) : MOVEMENT_DELTAS.released(q),
        reservation: line,
        context,
        now,
      });
      // Released units go to the variant's waiters first, in this transaction (I8).
      const after =
        kind === 'release' && notices
          ? await this.waitlist.handOver(session, inventory, now, notices)
          : inventory;
      inventories.push(toInventory(after));
    }
    return inventories;
  }
}

function unchanged(group: CartGroupDoc, lines: ReservationDoc[]): GroupChange {
  return {
    group: toCartGroup(group),
    reservations: lines.map(toReservation),
    inventories: [],
    changed: false,
  };
}

function compareIds(a: Types.ObjectId, b: Types.ObjectId): number {
  const x = idToString(a);
  const y = idToString(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function isDuplicateKey(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === DUPLICATE_KEY;
}
