import fc from 'fast-check';
import { expect } from 'vitest';

/**
 * A model-based test of the hold lifecycle (issue 13): fast-check runs random sequences of
 * reserve / replayed or reused Idempotency-Key / commit / release / expire / stock adjustment
 * against a real system (a store, or the HTTP app — a `ReservationSystem`), predicts each answer
 * with a tiny model, and checks the invariants against the real figures after every step:
 *   - the figures are the model's: totalStock, reservedStock, availableStock and version;
 *   - I1: availableStock = totalStock − reservedStock, all ≥ 0;
 *   - I2: reservedStock = Σ quantity of the active holds;
 *   - conservation: units committed + totalStock = initial stock + successful adjustments;
 *   - I3: at most one active hold per shopper on the variant;
 *   - I4: a reservation's status is the model's, so a terminal state never changes.
 * A failing run is shrunk and printed as the sequence of commands (each has a toString).
 */

export type Status = 'active' | 'committed' | 'released' | 'expired';

export interface Figures {
  totalStock: number;
  reservedStock: number;
  availableStock: number;
  version: number;
}

export type Outcome = { ok: true; id: string; replayed?: boolean } | { ok: false; code: string };

/** What the commands drive: one variant, a few shoppers, and a clock the system can move. */
export interface ReservationSystem {
  /** 'store' talks to the Store port, 'http' to the app (where replays are answered). */
  readonly kind: 'store' | 'http';
  reserve(userId: string, quantity: number, idempotencyKey?: string): Promise<Outcome>;
  commit(userId: string, reservationId: string): Promise<Outcome>;
  release(userId: string, reservationId: string): Promise<Outcome>;
  /** Moves the clock past every hold's expiry and runs the expiry sweep. */
  expireAll(): Promise<void>;
  adjust(delta: number, expectedVersion?: number): Promise<Outcome>;
  figures(): Promise<Figures>;
  /** Status and quantity of each reservation id asked about (missing ids are absent). */
  reservations(ids: string[]): Promise<Map<string, { status: Status; quantity: number }>>;
}

interface HoldModel {
  id: string;
  userId: string;
  quantity: number;
  status: Status;
}

export class Model {
  readonly holds: HoldModel[] = [];
  /** `${userId} ${key}` → the reservation the key made and its quantity. */
  readonly keys = new Map<string, { id: string; quantity: number }>();
  adjustments = 0;
  figures: Figures;

  constructor(readonly initialStock: number) {
    this.figures = {
      totalStock: initialStock,
      reservedStock: 0,
      availableStock: initialStock,
      version: 1,
    };
  }

  activeHoldOf(userId: string): HoldModel | undefined {
    return this.holds.find((hold) => hold.userId === userId && hold.status === 'active');
  }
}

export const USERS = ['ann', 'bob', 'cyd'] as const;
const KEYS = ['k1', 'k2'] as const;
const UNKNOWN_ID = 'aaaaaaaaaaaaaaaaaaaaaaaa';

type Command = fc.AsyncCommand<Model, ReservationSystem>;

function expectFailure(outcome: Outcome, codes: string[], step: string): void {
  expect(outcome.ok, `${step} should fail with ${codes.join(' or ')}`).toBe(false);
  if (!outcome.ok) expect(codes, step).toContain(outcome.code);
}

function expectSuccess(outcome: Outcome, step: string): string {
  expect(outcome, step).toMatchObject({ ok: true });
  return (outcome as { id: string }).id;
}

class ReserveCommand implements Command {
  constructor(
    readonly userId: string,
    readonly quantity: number,
    readonly key: string | undefined,
  ) {}
  check(): boolean {
    return true;
  }
  async run(model: Model, system: ReservationSystem): Promise<void> {
    const step = this.toString();
    const outcome = await system.reserve(this.userId, this.quantity, this.key);
    const keyed = this.key === undefined ? undefined : model.keys.get(`${this.userId} ${this.key}`);
    if (keyed) {
      if (system.kind === 'store') {
        // The port refuses a taken key outright; telling a replay from a reuse is the service's job.
        expect(outcome.ok, `${step}: a taken key must be refused by the store`).toBe(false);
      } else if (keyed.quantity === this.quantity) {
        expect(outcome, `${step}: a replay returns the first hold`).toEqual({
          ok: true,
          id: keyed.id,
          replayed: true,
        });
      } else {
        expectFailure(outcome, ['IDEMPOTENCY_KEY_REUSED'], step);
      }
    } else if (model.activeHoldOf(this.userId)) {
      // Over HTTP the sold-out gate may answer first when the quantity could not be served anyway.
      const soldOut = this.quantity > model.figures.availableStock && system.kind === 'http';
      expectFailure(
        outcome,
        soldOut ? ['DUPLICATE_RESERVATION', 'OUT_OF_STOCK'] : ['DUPLICATE_RESERVATION'],
        step,
      );
    } else if (this.quantity > model.figures.availableStock) {
      expectFailure(outcome, ['OUT_OF_STOCK'], step);
    } else {
      const id = expectSuccess(outcome, step);
      model.holds.push({ id, userId: this.userId, quantity: this.quantity, status: 'active' });
      if (this.key !== undefined) {
        model.keys.set(`${this.userId} ${this.key}`, { id, quantity: this.quantity });
      }
      model.figures.availableStock -= this.quantity;
      model.figures.reservedStock += this.quantity;
      model.figures.version += 1;
    }
    await checkInvariants(model, system, step);
  }
  toString(): string {
    const key = this.key === undefined ? '' : `, Idempotency-Key ${this.key}`;
    return `reserve(${this.userId}, ${this.quantity}${key})`;
  }
}

/** Picks the n-th reservation the model knows (modulo), or an unknown id when there is none. */
function pick(model: Model, index: number): HoldModel | undefined {
  return model.holds.length === 0 ? undefined : model.holds[index % model.holds.length];
}

class CommitCommand implements Command {
  constructor(
    readonly index: number,
    readonly byOwner: boolean,
  ) {}
  check(): boolean {
    return true;
  }
  async run(model: Model, system: ReservationSystem): Promise<void> {
    const hold = pick(model, this.index);
    const step = `${this.toString()} → ${hold ? `${hold.status} hold of ${hold.userId}` : 'unknown id'}`;
    const userId = hold && this.byOwner ? hold.userId : otherUser(hold?.userId);
    const outcome = await system.commit(userId, hold?.id ?? UNKNOWN_ID);
    if (!hold || !this.byOwner) {
      expectFailure(outcome, ['RESERVATION_NOT_FOUND'], step);
    } else if (hold.status === 'active') {
      expectSuccess(outcome, step);
      hold.status = 'committed';
      model.figures.reservedStock -= hold.quantity;
      model.figures.totalStock -= hold.quantity;
      model.figures.version += 1;
    } else if (hold.status === 'committed') {
      expectSuccess(outcome, step);
    } else {
      const code = hold.status === 'expired' ? 'RESERVATION_EXPIRED' : 'RESERVATION_NOT_ACTIVE';
      expectFailure(outcome, [code], step);
    }
    await checkInvariants(model, system, step);
  }
  toString(): string {
    return `commit(hold #${this.index}${this.byOwner ? '' : ', by another shopper'})`;
  }
}

class ReleaseCommand implements Command {
  constructor(
    readonly index: number,
    readonly byOwner: boolean,
  ) {}
  check(): boolean {
    return true;
  }
  async run(model: Model, system: ReservationSystem): Promise<void> {
    const hold = pick(model, this.index);
    const step = `${this.toString()} → ${hold ? `${hold.status} hold of ${hold.userId}` : 'unknown id'}`;
    const userId = hold && this.byOwner ? hold.userId : otherUser(hold?.userId);
    const outcome = await system.release(userId, hold?.id ?? UNKNOWN_ID);
    if (!hold || !this.byOwner) {
      expectFailure(outcome, ['RESERVATION_NOT_FOUND'], step);
    } else if (hold.status === 'active') {
      expectSuccess(outcome, step);
      hold.status = 'released';
      model.figures.reservedStock -= hold.quantity;
      model.figures.availableStock += hold.quantity;
      model.figures.version += 1;
    } else if (hold.status === 'committed') {
      expectFailure(outcome, ['RESERVATION_NOT_ACTIVE'], step);
    } else {
      expectSuccess(outcome, step);
    }
    await checkInvariants(model, system, step);
  }
  toString(): string {
    return `release(hold #${this.index}${this.byOwner ? '' : ', by another shopper'})`;
  }
}

class ExpireCommand implements Command {
  check(): boolean {
    return true;
  }
  async run(model: Model, system: ReservationSystem): Promise<void> {
    await system.expireAll();
    for (const hold of model.holds) {
      if (hold.status !== 'active') continue;
      hold.status = 'expired';
      model.figures.reservedStock -= hold.quantity;
      model.figures.availableStock += hold.quantity;
      model.figures.version += 1;
    }
    await checkInvariants(model, system, this.toString());
  }
  toString(): string {
    return 'expire(every hold past its TTL)';
  }
}

type VersionMode = 'none' | 'current' | 'stale';

class AdjustCommand implements Command {
  constructor(
    readonly delta: number,
    readonly versionMode: VersionMode,
  ) {}
  check(): boolean {
    return true;
  }
  async run(model: Model, system: ReservationSystem): Promise<void> {
    const step = this.toString();
    const { version, totalStock, reservedStock } = model.figures;
    const expectedVersion =
      this.versionMode === 'none'
        ? undefined
        : this.versionMode === 'current'
          ? version
          : version - 1;
    const outcome = await system.adjust(this.delta, expectedVersion);
    const after = totalStock + this.delta;
    if (this.versionMode === 'stale') {
      expectFailure(outcome, ['VERSION_CONFLICT'], step);
    } else if (after < 0 || after < reservedStock) {
      expectFailure(outcome, ['INSUFFICIENT_STOCK'], step);
    } else {
      expectSuccess(outcome, step);
      model.figures.totalStock = after;
      model.figures.availableStock += this.delta;
      model.figures.version += 1;
      model.adjustments += this.delta;
    }
    await checkInvariants(model, system, step);
  }
  toString(): string {
    const version = this.versionMode === 'none' ? '' : `, ${this.versionMode} expectedVersion`;
    return `adjust(${this.delta > 0 ? '+' : ''}${this.delta}${version})`;
  }
}

function otherUser(userId: string | undefined): string {
  return USERS.find((user) => user !== userId)!;
}

async function checkInvariants(model: Model, system: ReservationSystem, step: string) {
  const figures = await system.figures();
  const at = `after ${step}`;
  expect(figures, `figures ${at}`).toEqual(model.figures);
  expect(figures.availableStock, `I1 ${at}`).toBe(figures.totalStock - figures.reservedStock);
  for (const [name, value] of Object.entries(figures)) {
    expect(Number.isInteger(value) && value >= 0, `${name} is a whole number ≥ 0 ${at}`).toBe(true);
  }

  const real = await system.reservations(model.holds.map((hold) => hold.id));
  let active = 0;
  let committed = 0;
  const activeByUser = new Map<string, number>();
  for (const hold of model.holds) {
    const found = real.get(hold.id);
    expect(found, `reservation ${hold.id} of ${hold.userId} ${at}`).toEqual({
      status: hold.status,
      quantity: hold.quantity,
    });
    if (found?.status === 'active') {
      active += found.quantity;
      activeByUser.set(hold.userId, (activeByUser.get(hold.userId) ?? 0) + 1);
    }
    if (found?.status === 'committed') committed += found.quantity;
  }
  expect(figures.reservedStock, `I2 ${at}`).toBe(active);
  expect(committed + figures.totalStock, `conservation ${at}`).toBe(
    model.initialStock + model.adjustments,
  );
  for (const [userId, count] of activeByUser) expect(count, `I3 for ${userId} ${at}`).toBe(1);
}

/** The commands, with small numbers so conflicts (sold out, duplicates, stale versions) are common. */
export function reservationCommands(maxCommands: number) {
  const user = fc.constantFrom(...USERS);
  const mostlyTheOwner = fc.constantFrom(true, true, true, false);
  return fc.commands(
    [
      fc
        .tuple(user, fc.integer({ min: 1, max: 4 }), fc.option(fc.constantFrom(...KEYS)))
        .map(([userId, quantity, key]) => new ReserveCommand(userId, quantity, key ?? undefined)),
      fc
        .tuple(fc.nat(20), mostlyTheOwner)
        .map(([index, byOwner]) => new CommitCommand(index, byOwner)),
      fc
        .tuple(fc.nat(20), mostlyTheOwner)
        .map(([index, byOwner]) => new ReleaseCommand(index, byOwner)),
      fc.constant(new ExpireCommand()),
      fc
        .tuple(
          fc.integer({ min: -4, max: 5 }).filter((delta) => delta !== 0),
          fc.constantFrom<VersionMode>('none', 'current', 'stale'),
        )
        .map(([delta, mode]) => new AdjustCommand(delta, mode)),
    ],
    { maxCommands },
  );
}

/** fast-check's settings for the suites: a fixed budget, and the failing sequence printed. */
export function propertySettings(numRuns: number): fc.Parameters<unknown> {
  return { numRuns, verbose: 1 };
}
