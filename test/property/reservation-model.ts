import fc from 'fast-check';
import { expect } from 'vitest';

/**
 * A model-based test of the hold lifecycle (issue 13): fast-check runs random sequences of
 * reserve / replayed or reused Idempotency-Key / commit / release / expire / stock adjustment
 * against a real system (a store, or the HTTP app — a `ReservationSystem`) with two variants and
 * a cap of MAX_ACTIVE holds per shopper, predicts each answer with a tiny model, and checks the
 * invariants against the real figures of both variants after every step:
 *   - the figures are the model's: totalStock, reservedStock, availableStock and version;
 *   - I1: availableStock = totalStock − reservedStock, all whole numbers ≥ 0;
 *   - I2: reservedStock = Σ quantity of the variant's active holds;
 *   - conservation: units committed + totalStock = initial stock + successful adjustments;
 *   - I3: at most MAX_ACTIVE active holds per shopper, at most one per variant;
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

/** Active holds a shopper may have; with two variants, the cap is reached and refused. */
export const MAX_ACTIVE = 1;
export const VARIANTS = 2;

/** What the commands drive: two variants, a few shoppers, and a clock the system can move. */
export interface ReservationSystem {
  /** 'store' talks to the Store port, 'http' to the app (where replays are answered). */
  readonly kind: 'store' | 'http';
  reserve(
    userId: string,
    variant: number,
    quantity: number,
    idempotencyKey?: string,
  ): Promise<Outcome>;
  commit(userId: string, reservationId: string): Promise<Outcome>;
  release(userId: string, reservationId: string): Promise<Outcome>;
  /** Moves the clock past every hold's expiry and runs the expiry sweep. */
  expireAll(): Promise<void>;
  adjust(variant: number, delta: number, expectedVersion?: number): Promise<Outcome>;
  figures(variant: number): Promise<Figures>;
  /** Status and quantity of each reservation id asked about (missing ids are absent). */
  reservations(ids: string[]): Promise<Map<string, { status: Status; quantity: number }>>;
}

interface HoldModel {
  id: string;
  userId: string;
  variant: number;
  quantity: number;
  status: Status;
}

export class Model {
  readonly holds: HoldModel[] = [];
  /** `${userId} ${key}` → the reservation the key made, for which variant and quantity. */
  readonly keys = new Map<string, { id: string; variant: number; quantity: number }>();
  readonly adjustments: number[];
  readonly figures: Figures[];

  constructor(readonly initialStock: number[]) {
    this.adjustments = initialStock.map(() => 0);
    this.figures = initialStock.map((stock) => ({
      totalStock: stock,
      reservedStock: 0,
      availableStock: stock,
      version: 1,
    }));
  }

  activeHolds(userId: string): HoldModel[] {
    return this.holds.filter((hold) => hold.userId === userId && hold.status === 'active');
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
    readonly variant: number,
    readonly quantity: number,
    readonly key: string | undefined,
  ) {}
  check(): boolean {
    return true;
  }
  async run(model: Model, system: ReservationSystem): Promise<void> {
    const step = this.toString();
    const outcome = await system.reserve(this.userId, this.variant, this.quantity, this.key);
    const figures = model.figures[this.variant];
    const active = model.activeHolds(this.userId);
    // Over HTTP the sold-out gate may answer first when the quantity could not be served anyway.
    const gated = this.quantity > figures.availableStock && system.kind === 'http';
    const orGated = (code: string) => (gated ? [code, 'OUT_OF_STOCK'] : [code]);
    const keyed = this.key === undefined ? undefined : model.keys.get(`${this.userId} ${this.key}`);
    if (keyed) {
      if (system.kind === 'store') {
        // The port refuses a taken key outright; telling a replay from a reuse is the service's job.
        expect(outcome.ok, `${step}: a taken key must be refused by the store`).toBe(false);
      } else if (keyed.quantity === this.quantity && keyed.variant === this.variant) {
        expect(outcome, `${step}: a replay returns the first hold`).toEqual({
          ok: true,
          id: keyed.id,
          replayed: true,
        });
      } else {
        expectFailure(outcome, ['IDEMPOTENCY_KEY_REUSED'], step);
      }
    } else if (active.some((hold) => hold.variant === this.variant)) {
      expectFailure(outcome, orGated('DUPLICATE_RESERVATION'), step);
    } else if (active.length >= MAX_ACTIVE) {
      expectFailure(outcome, orGated('MAX_RESERVATIONS_EXCEEDED'), step);
    } else if (this.quantity > figures.availableStock) {
      expectFailure(outcome, ['OUT_OF_STOCK'], step);
    } else {
      const id = expectSuccess(outcome, step);
      const { userId, variant, quantity } = this;
      model.holds.push({ id, userId, variant, quantity, status: 'active' });
      if (this.key !== undefined)
        model.keys.set(`${userId} ${this.key}`, { id, variant, quantity });
      figures.availableStock -= quantity;
      figures.reservedStock += quantity;
      figures.version += 1;
    }
    await checkInvariants(model, system, step);
  }
  toString(): string {
    const key = this.key === undefined ? '' : `, Idempotency-Key ${this.key}`;
    return `reserve(${this.userId}, variant ${this.variant}, ${this.quantity}${key})`;
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
      const figures = model.figures[hold.variant];
      figures.reservedStock -= hold.quantity;
      figures.totalStock -= hold.quantity;
      figures.version += 1;
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
      const figures = model.figures[hold.variant];
      figures.reservedStock -= hold.quantity;
      figures.availableStock += hold.quantity;
      figures.version += 1;
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
      const figures = model.figures[hold.variant];
      figures.reservedStock -= hold.quantity;
      figures.availableStock += hold.quantity;
      figures.version += 1;
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
    readonly variant: number,
    readonly delta: number,
    readonly versionMode: VersionMode,
  ) {}
  check(): boolean {
    return true;
  }
  async run(model: Model, system: ReservationSystem): Promise<void> {
    const step = this.toString();
    const figures = model.figures[this.variant];
    const { version, totalStock, reservedStock } = figures;
    const expectedVersion =
      this.versionMode === 'none'
        ? undefined
        : this.versionMode === 'current'
          ? version
          : version - 1;
    const outcome = await system.adjust(this.variant, this.delta, expectedVersion);
    const after = totalStock + this.delta;
    if (this.versionMode === 'stale') {
      expectFailure(outcome, ['VERSION_CONFLICT'], step);
    } else if (after < 0 || after < reservedStock) {
      expectFailure(outcome, ['INSUFFICIENT_STOCK'], step);
    } else {
      expectSuccess(outcome, step);
      figures.totalStock = after;
      figures.availableStock += this.delta;
      figures.version += 1;
      model.adjustments[this.variant] += this.delta;
    }
    await checkInvariants(model, system, step);
  }
  toString(): string {
    const version = this.versionMode === 'none' ? '' : `, ${this.versionMode} expectedVersion`;
    return `adjust(variant ${this.variant}, ${this.delta > 0 ? '+' : ''}${this.delta}${version})`;
  }
}

function otherUser(userId: string | undefined): string {
  return USERS.find((user) => user !== userId)!;
}

async function checkInvariants(model: Model, system: ReservationSystem, step: string) {
  const at = `after ${step}`;
  const real = await system.reservations(model.holds.map((hold) => hold.id));
  const activeByUser = new Map<string, HoldModel[]>();
  for (const hold of model.holds) {
    const found = real.get(hold.id);
    expect(found, `reservation ${hold.id} of ${hold.userId} ${at}`).toEqual({
      status: hold.status,
      quantity: hold.quantity,
    });
    if (found?.status === 'active') {
      activeByUser.set(hold.userId, [...(activeByUser.get(hold.userId) ?? []), hold]);
    }
  }
  for (const [userId, holds] of activeByUser) {
    expect(holds.length, `I3 cap for ${userId} ${at}`).toBeLessThanOrEqual(MAX_ACTIVE);
    const variants = new Set(holds.map((hold) => hold.variant));
    expect(variants.size, `I3 one per variant for ${userId} ${at}`).toBe(holds.length);
  }

  for (let variant = 0; variant < model.figures.length; variant++) {
    const figures = await system.figures(variant);
    const of = `of variant ${variant} ${at}`;
    expect(figures, `figures ${of}`).toEqual(model.figures[variant]);
    for (const [name, value] of Object.entries(figures)) {
      expect(Number.isInteger(value) && value >= 0, `${name} is a whole number ≥ 0 ${of}`).toBe(
        true,
      );
    }
    expect(figures.availableStock, `I1 ${of}`).toBe(figures.totalStock - figures.reservedStock);
    const holds = model.holds.filter((hold) => hold.variant === variant);
    const sum = (status: Status) =>
      holds
        .filter((hold) => real.get(hold.id)?.status === status)
        .reduce((total, hold) => total + hold.quantity, 0);
    expect(figures.reservedStock, `I2 ${of}`).toBe(sum('active'));
    expect(sum('committed') + figures.totalStock, `conservation ${of}`).toBe(
      model.initialStock[variant] + model.adjustments[variant],
    );
  }
}

/** The commands, with small numbers so conflicts (sold out, duplicates, stale versions) are common. */
export function reservationCommands(maxCommands: number) {
  const user = fc.constantFrom(...USERS);
  const mostlyTheOwner = fc.constantFrom(true, true, true, false);
  const variant = fc.nat(VARIANTS - 1);
  return fc.commands(
    [
      fc
        .tuple(user, variant, fc.integer({ min: 1, max: 4 }), fc.option(fc.constantFrom(...KEYS)))
        .map(
          ([userId, index, quantity, key]) =>
            new ReserveCommand(userId, index, quantity, key ?? undefined),
        ),
      fc
        .tuple(fc.nat(20), mostlyTheOwner)
        .map(([index, byOwner]) => new CommitCommand(index, byOwner)),
      fc
        .tuple(fc.nat(20), mostlyTheOwner)
        .map(([index, byOwner]) => new ReleaseCommand(index, byOwner)),
      fc.constant(new ExpireCommand()),
      fc
        .tuple(
          variant,
          fc.integer({ min: -4, max: 5 }).filter((delta) => delta !== 0),
          fc.constantFrom<VersionMode>('none', 'current', 'stale'),
        )
        .map(([index, delta, mode]) => new AdjustCommand(index, delta, mode)),
    ],
    { maxCommands },
  );
}

/** Initial stock of each variant. */
export const initialStocks = fc.array(fc.integer({ min: 0, max: 8 }), {
  minLength: VARIANTS,
  maxLength: VARIANTS,
});

/** fast-check's settings for the suites: a fixed budget, and the failing sequence printed. */
export function propertySettings(numRuns: number): fc.Parameters<unknown> {
  return { numRuns, verbose: 1 };
}
