import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../src/common/clock';
import { createVariant, startTestApp, type TestApp } from '../helpers/test-app';

const TTL_S = 60;
const LIFETIME_S = 150;

describe('cart holds, extension and purchase limits over HTTP', () => {
  let t: TestApp;
  let users = 0;
  const newShopper = () => t.token(`cart-shopper-${++users}`);
  const admin = () => t.token('admin', { admin: true });
  const clock = () => t.clock as ManualClock;

  beforeAll(async () => {
    t = await startTestApp({
      manualClock: true,
      env: {
        RESERVATION_TTL_SECONDS: String(TTL_S),
        MAX_HOLD_LIFETIME_SECONDS: String(LIFETIME_S),
        MAX_HOLD_EXTENSIONS: '2',
      },
    });
  });
  afterAll(async () => {
    await t.close();
  });

  type Line = { variantId: string; quantity: number };
  const batch = (
    token: string,
    lines: Line[],
    policy = 'all_or_nothing',
    headers: Record<string, string> = {},
  ) => t.request('POST', '/v1/reservations/batch', { token, body: { lines, policy }, headers });
  const stockOf = async (variantId: string) =>
    (await t.request('GET', `/v1/inventory/${variantId}`, { token: admin() })).body;
  const group = (method: string, groupId: string, token: string, suffix = '') =>
    t.request(method, `/v1/reservations/groups/${groupId}${suffix}`, { token });

  describe('POST /v1/reservations/batch', () => {
    it('201: all_or_nothing holds every line as an ordinary hold carrying the groupId', async () => {
      const [a, b] = [await createVariant(t, 5), await createVariant(t, 5)];
      const shopper = newShopper();
      const response = await batch(shopper, [
        { variantId: a, quantity: 2 },
        { variantId: b, quantity: 1 },
      ]);
      expect(response.status).toBe(201);
      const { groupId, policy, lines } = response.body;
      expect(policy).toBe('all_or_nothing');
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatchObject({ variantId: a, quantity: 2, status: 'held' });
      expect(lines[0].reservation).toMatchObject({
        variantId: a,
        quantity: 2,
        status: 'active',
        groupId,
        extensions: 0,
      });
      expect(lines[0]).not.toHaveProperty('code');
      // An ordinary reservation: readable, listable, releasable on its own.
      const single = await t.request('GET', `/v1/reservations/${lines[1].reservation.id}`, {
        token: shopper,
      });
      expect(single.body).toMatchObject({ status: 'active', groupId, variantId: b });
      expect(await stockOf(a)).toMatchObject({ availableStock: 3, reservedStock: 2 });
    });

    it('201: best_effort holds the lines with stock and refuses the others with OUT_OF_STOCK', async () => {
      const [a, b] = [await createVariant(t, 5), await createVariant(t, 1)];
      const response = await batch(
        newShopper(),
        [
          { variantId: a, quantity: 1 },
          { variantId: b, quantity: 2 },
        ],
        'best_effort',
      );
      expect(response.status).toBe(201);
      expect(response.body.lines[1]).toEqual({
        variantId: b,
        quantity: 2,
        status: 'refused',
        code: 'OUT_OF_STOCK',
      });
      expect(response.body.lines[0].status).toBe('held');
      expect(await stockOf(b)).toMatchObject({ availableStock: 1, reservedStock: 0 });
    });

    it('409 OUT_OF_STOCK with per-line details when all_or_nothing cannot hold every line; nothing held', async () => {
      const [a, b] = [await createVariant(t, 5), await createVariant(t, 1)];
      const shopper = newShopper();
      const response = await batch(shopper, [
        { variantId: a, quantity: 1 },
        { variantId: b, quantity: 2 },
      ]);
      expect(response.status).toBe(409);
      expect(response.body).toMatchObject({ statusCode: 409, code: 'OUT_OF_STOCK' });
      expect(response.body.requestId).toEqual(expect.any(String));
      expect(response.body.details).toEqual([
        { variantId: a, quantity: 1, status: 'refused', code: 'NOT_ATTEMPTED' },
        { variantId: b, quantity: 2, status: 'refused', code: 'OUT_OF_STOCK' },
      ]);
      expect(await stockOf(a)).toMatchObject({ availableStock: 5, version: 1 });
      const mine = await t.request('GET', '/v1/reservations', { token: shopper });
      expect(mine.body.items).toEqual([]);
    });

    it('409 OUT_OF_STOCK with details when best_effort finds no line in stock', async () => {
      const a = await createVariant(t, 0);
      const response = await batch(newShopper(), [{ variantId: a, quantity: 1 }], 'best_effort');
      expect(response.status).toBe(409);
      expect(response.body.code).toBe('OUT_OF_STOCK');
      expect(response.body.details).toEqual([
        { variantId: a, quantity: 1, status: 'refused', code: 'OUT_OF_STOCK' },
      ]);
    });

    it('sums lines of one variant first: 2 + 2 with 3 left is 409 as 4; 6 + 6 is 400 (over the quantity cap)', async () => {
      const a = await createVariant(t, 3);
      const twoTwo = await batch(
        newShopper(),
        [
          { variantId: a, quantity: 2 },
          { variantId: a.toUpperCase(), quantity: 2 },
        ],
        'best_effort',
      );
      expect(twoTwo.status).toBe(409);
      expect(twoTwo.body.details).toEqual([
        { variantId: a, quantity: 4, status: 'refused', code: 'OUT_OF_STOCK' },
      ]);
      const big = await createVariant(t, 50);
      const sixSix = await batch(newShopper(), [
        { variantId: big, quantity: 6 },
        { variantId: big, quantity: 6 },
      ]);
      expect(sixSix.status).toBe(400);
      expect(sixSix.body.code).toBe('VALIDATION_FAILED');
      expect(sixSix.body.message).toContain('at most 10');
      expect(await stockOf(big)).toMatchObject({ reservedStock: 0 });
    });

    it('400 for more than MAX_ACTIVE_RESERVATIONS variants and for malformed carts', async () => {
      const variants = await Promise.all(Array.from({ length: 6 }, () => createVariant(t, 5)));
      const shopper = newShopper();
      const six = await batch(
        shopper,
        variants.map((variantId) => ({ variantId, quantity: 1 })),
      );
      expect(six.status).toBe(400);
      expect(six.body.message).toContain('at most 5 variants');
      const line = { variantId: variants[0], quantity: 1 };
      const bad: unknown[] = [
        { lines: [], policy: 'best_effort' },
        { lines: [line] },
        { lines: [line], policy: 'some' },
        { lines: [{ ...line, price: 1 }], policy: 'best_effort' },
        { lines: [{ variantId: 'nope', quantity: 1 }], policy: 'best_effort' },
        { lines: [{ variantId: variants[0], quantity: 0 }], policy: 'best_effort' },
        { lines: [{ variantId: variants[0], quantity: '1' }], policy: 'best_effort' },
        { lines: [{ variantId: { $gt: '' }, quantity: 1 }], policy: 'best_effort' },
        { lines: line, policy: 'best_effort' },
        { lines: [line], policy: 'best_effort', extra: true },
      ];
      for (const body of bad) {
        const response = await t.request('POST', '/v1/reservations/batch', {
          token: shopper,
          body,
        });
        expect(response.status, JSON.stringify(body)).toBe(400);
        expect(response.body.code).toBe('VALIDATION_FAILED');
      }
      expect(await stockOf(variants[0])).toMatchObject({ reservedStock: 0 });
    });

    it('401 without a token', async () => {
      const response = await t.request('POST', '/v1/reservations/batch', {
        body: { lines: [], policy: 'best_effort' },
      });
      expect(response.status).toBe(401);
      expect(response.body.code).toBe('UNAUTHORIZED');
    });

    it('404 VARIANT_NOT_FOUND for an unknown variant on any line', async () => {
      const a = await createVariant(t, 5);
      const response = await batch(
        newShopper(),
        [
          { variantId: a, quantity: 1 },
          { variantId: 'aaaaaaaaaaaaaaaaaaaaaaaa', quantity: 1 },
        ],
        'best_effort',
      );
      expect(response.status).toBe(404);
      expect(response.body.code).toBe('VARIANT_NOT_FOUND');
      expect(await stockOf(a)).toMatchObject({ reservedStock: 0 });
    });

    it('409 DUPLICATE_RESERVATION and MAX_RESERVATIONS_EXCEEDED refuse the whole cart, even best_effort', async () => {
      const shopper = newShopper();
      const held = await createVariant(t, 5);
      expect((await batch(shopper, [{ variantId: held, quantity: 1 }])).status).toBe(201);
      const other = await createVariant(t, 5);
      const duplicate = await batch(
        shopper,
        [
          { variantId: other, quantity: 1 },
          { variantId: held, quantity: 1 },
        ],
        'best_effort',
      );
      expect(duplicate.status).toBe(409);
      expect(duplicate.body.code).toBe('DUPLICATE_RESERVATION');
      const five = await Promise.all(Array.from({ length: 5 }, () => createVariant(t, 5)));
      const cap = await batch(
        shopper,
        five.map((variantId) => ({ variantId, quantity: 1 })),
        'best_effort',
      );
      expect(cap.status).toBe(409);
      expect(cap.body.code).toBe('MAX_RESERVATIONS_EXCEEDED');
      expect(await stockOf(other)).toMatchObject({ reservedStock: 0 });
    });

    it('replays an Idempotency-Key with the same cart, and answers 422 for another cart with the key', async () => {
      const [a, b] = [await createVariant(t, 5), await createVariant(t, 5)];
      const shopper = newShopper();
      const lines = [
        { variantId: a, quantity: 1 },
        { variantId: b, quantity: 2 },
      ];
      const headers = { 'idempotency-key': 'cart-checkout-1' };
      const first = await batch(shopper, lines, 'best_effort', headers);
      expect(first.status).toBe(201);
      const again = await batch(shopper, lines, 'best_effort', headers);
      expect(again.status).toBe(201);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.body).toEqual(first.body);
      expect(await stockOf(b)).toMatchObject({ reservedStock: 2 });
      const changed = await batch(shopper, [lines[0]], 'best_effort', headers);
      expect(changed.status).toBe(422);
      expect(changed.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
      const otherPolicy = await batch(shopper, lines, 'all_or_nothing', headers);
      expect(otherPolicy.status).toBe(422);
      const badKey = await batch(shopper, lines, 'best_effort', { 'idempotency-key': 'a b' });
      expect(badKey.status).toBe(400);
      expect(badKey.body.code).toBe('VALIDATION_FAILED');
    });
  });

  describe('groups: read, commit, release', () => {
    async function heldCart(token = newShopper()) {
      const [a, b] = [await createVariant(t, 5), await createVariant(t, 5)];
      const response = await batch(token, [
        { variantId: a, quantity: 2 },
        { variantId: b, quantity: 1 },
      ]);
      expect(response.status).toBe(201);
      return { token, a, b, groupId: response.body.groupId as string, body: response.body };
    }

    it('GET answers the owner with each line as it is now; 404 for others and unknown; 400 malformed', async () => {
      const { token, groupId, body } = await heldCart();
      const read = await group('GET', groupId, token);
      expect(read.status).toBe(200);
      expect(read.body).toEqual(body);
      expect((await group('GET', groupId, newShopper())).status).toBe(404);
      const unknown = await group('GET', 'bbbbbbbbbbbbbbbbbbbbbbbb', token);
      expect(unknown.status).toBe(404);
      expect(unknown.body.code).toBe('RESERVATION_NOT_FOUND');
      const malformed = await group('GET', 'not-an-id', token);
      expect(malformed.status).toBe(400);
      expect(malformed.body.code).toBe('VALIDATION_FAILED');
    });

    it('commit: 200 with every line committed, stock sold; committing again answers the same', async () => {
      const { token, a, groupId } = await heldCart();
      const response = await group('POST', groupId, token, '/commit');
      expect(response.status).toBe(200);
      expect(
        response.body.lines.map((l: { reservation: { status: string } }) => l.reservation.status),
      ).toEqual(['committed', 'committed']);
      expect(await stockOf(a)).toMatchObject({
        totalStock: 3,
        reservedStock: 0,
        availableStock: 3,
      });
      const again = await group('POST', groupId, token, '/commit');
      expect(again.status).toBe(200);
      expect(again.body).toEqual(response.body);
      expect((await group('POST', groupId, newShopper(), '/commit')).status).toBe(404);
    });

    it('commit: 409 RESERVATION_EXPIRED when a line has expired, and nothing changes', async () => {
      const { token, a, groupId } = await heldCart();
      clock().advance(TTL_S * 1000);
      const before = await stockOf(a);
      const response = await group('POST', groupId, token, '/commit');
      expect(response.status).toBe(409);
      expect(response.body.code).toBe('RESERVATION_EXPIRED');
      expect(await stockOf(a)).toEqual(before);
    });

    it('DELETE: 200 releases every line and gives the stock back; again answers the same; then commit is 409 RESERVATION_NOT_ACTIVE', async () => {
      const { token, a, b, groupId } = await heldCart();
      const response = await group('DELETE', groupId, token);
      expect(response.status).toBe(200);
      expect(
        response.body.lines.every(
          (l: { reservation: { status: string } }) => l.reservation.status === 'released',
        ),
      ).toBe(true);
      expect(await stockOf(a)).toMatchObject({ availableStock: 5, reservedStock: 0 });
      expect(await stockOf(b)).toMatchObject({ availableStock: 5, reservedStock: 0 });
      expect((await group('DELETE', groupId, token)).status).toBe(200);
      const commit = await group('POST', groupId, token, '/commit');
      expect(commit.status).toBe(409);
      expect(commit.body.code).toBe('RESERVATION_NOT_ACTIVE');
      expect((await group('DELETE', groupId, newShopper())).status).toBe(404);
    });
  });

  describe('extension', () => {
    const extend = (id: string, token: string) =>
      t.request('POST', `/v1/reservations/${id}/extend`, { token });
    const hold = async (token: string, stock = 5) => {
      const variantId = await createVariant(t, stock);
      const response = await t.request('POST', '/v1/reservations', {
        token,
        body: { variantId, quantity: 1 },
      });
      expect(response.status).toBe(201);
      return response.body as { id: string; createdAt: string; expiresAt: string };
    };

    it('200: expiresAt = min(now + TTL, createdAt + lifetime); the third is 409 HOLD_LIFETIME_EXCEEDED', async () => {
      const shopper = newShopper();
      const r = await hold(shopper);
      const created = Date.parse(r.createdAt);
      clock().advance(55_000);
      const first = await extend(r.id, shopper);
      expect(first.status).toBe(200);
      expect(first.body.extensions).toBe(1);
      expect(Date.parse(first.body.expiresAt)).toBe(created + 55_000 + TTL_S * 1000);
      clock().advance(45_000);
      const second = await extend(r.id, shopper);
      expect(second.status).toBe(200);
      expect(second.body.extensions).toBe(2);
      // now + TTL = created + 160 s, past the 150 s lifetime: capped.
      expect(Date.parse(second.body.expiresAt)).toBe(created + LIFETIME_S * 1000);
      const third = await extend(r.id, shopper);
      expect(third.status).toBe(409);
      expect(third.body.code).toBe('HOLD_LIFETIME_EXCEEDED');
    });

    it('the lifetime cap stops an extension at createdAt + MAX_HOLD_LIFETIME_SECONDS', async () => {
      const shopper = newShopper();
      const r = await hold(shopper);
      clock().advance(50_000);
      expect((await extend(r.id, shopper)).status).toBe(200); // to created + 110 s
      clock().advance(55_000); // created + 105 s: now + TTL is past the cap, which is 150 s
      const capped = await extend(r.id, shopper);
      expect(capped.status).toBe(200);
      expect(Date.parse(capped.body.expiresAt)).toBe(Date.parse(r.createdAt) + LIFETIME_S * 1000);
    });

    it('409 RESERVATION_EXPIRED, 409 RESERVATION_NOT_ACTIVE, 404 for another shopper, 400 malformed id', async () => {
      const shopper = newShopper();
      const due = await hold(shopper);
      clock().advance(TTL_S * 1000);
      const expired = await extend(due.id, shopper);
      expect(expired.status).toBe(409);
      expect(expired.body.code).toBe('RESERVATION_EXPIRED');

      const committed = await hold(shopper);
      await t.request('POST', `/v1/reservations/${committed.id}/commit`, { token: shopper });
      const notActive = await extend(committed.id, shopper);
      expect(notActive.status).toBe(409);
      expect(notActive.body.code).toBe('RESERVATION_NOT_ACTIVE');

      const mine = await hold(shopper);
      const foreign = await extend(mine.id, newShopper());
      expect(foreign.status).toBe(404);
      expect(foreign.body.code).toBe('RESERVATION_NOT_FOUND');
      expect((await extend('zzz', shopper)).status).toBe(400);
    });

    it('extends a whole cart: 200, then 409 HOLD_LIFETIME_EXCEEDED after MAX_HOLD_EXTENSIONS', async () => {
      const shopper = newShopper();
      const [a, b] = [await createVariant(t, 5), await createVariant(t, 5)];
      const cart = await batch(shopper, [
        { variantId: a, quantity: 1 },
        { variantId: b, quantity: 1 },
      ]);
      const { groupId } = cart.body;
      for (const count of [1, 2]) {
        clock().advance(10_000);
        const response = await group('POST', groupId, shopper, '/extend');
        expect(response.status).toBe(200);
        for (const line of response.body.lines) expect(line.reservation.extensions).toBe(count);
      }
      const third = await group('POST', groupId, shopper, '/extend');
      expect(third.status).toBe(409);
      expect(third.body.code).toBe('HOLD_LIFETIME_EXCEEDED');
      expect((await group('POST', groupId, newShopper(), '/extend')).status).toBe(404);
      await group('DELETE', groupId, shopper);
      const released = await group('POST', groupId, shopper, '/extend');
      expect(released.status).toBe(409);
      expect(released.body.code).toBe('RESERVATION_NOT_ACTIVE');
    });
  });

  describe('purchase limits', () => {
    const reserve = (token: string, variantId: string, quantity: number) =>
      t.request('POST', '/v1/reservations', { token, body: { variantId, quantity } });
    const patch = (id: string, body: unknown, token = admin()) =>
      t.request('PATCH', `/v1/admin/variants/${id}`, { token, body });

    it('is set at creation and by PATCH /v1/admin/variants/:id (null removes it)', async () => {
      const id = await createVariant(t, 10, { purchaseLimit: 2 });
      const read = await t.request('GET', `/v1/variants/${id}`, { token: newShopper() });
      expect(read.body.purchaseLimit).toBe(2);
      const changed = await patch(id, { purchaseLimit: 5 });
      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({ id, purchaseLimit: 5, stock: { total: 10 } });
      const removed = await patch(id, { purchaseLimit: null });
      expect(removed.status).toBe(200);
      expect(removed.body).not.toHaveProperty('purchaseLimit');
    });

    it('PATCH: 400 for bad values and unknown fields, 403 for shoppers, 404 for an unknown variant', async () => {
      const id = await createVariant(t, 10);
      for (const body of [
        {},
        { purchaseLimit: 0 },
        { purchaseLimit: '2' },
        { purchaseLimit: 1.5 },
        { purchaseLimit: 2, stock: 3 },
      ]) {
        const response = await patch(id, body);
        expect(response.status, JSON.stringify(body)).toBe(400);
        expect(response.body.code).toBe('VALIDATION_FAILED');
      }
      const forbidden = await patch(id, { purchaseLimit: 2 }, newShopper());
      expect(forbidden.status).toBe(403);
      const unknown = await patch('cccccccccccccccccccccccc', { purchaseLimit: 2 });
      expect(unknown.status).toBe(404);
      expect(unknown.body.code).toBe('VARIANT_NOT_FOUND');
      const bad = await t.request('POST', '/v1/admin/variants', {
        token: admin(),
        body: { sku: 'LIMIT-BAD', title: 'x', price: 1, stock: 1, purchaseLimit: 0 },
      });
      expect(bad.status).toBe(400);
    });

    it('409 PURCHASE_LIMIT_EXCEEDED with the units left; survives commit, given back on release', async () => {
      const id = await createVariant(t, 20, { purchaseLimit: 3 });
      const shopper = newShopper();
      const first = await reserve(shopper, id, 2);
      expect(first.status).toBe(201);
      await t.request('POST', `/v1/reservations/${first.body.id}/commit`, { token: shopper });
      const over = await reserve(shopper, id, 2);
      expect(over.status).toBe(409);
      expect(over.body.code).toBe('PURCHASE_LIMIT_EXCEEDED');
      expect(over.body.message).toContain('1 more');
      const one = await reserve(shopper, id, 1);
      expect(one.status).toBe(201);
      await t.request('DELETE', `/v1/reservations/${one.body.id}`, { token: shopper });
      const last = await reserve(shopper, id, 1);
      expect(last.status).toBe(201);
      await t.request('POST', `/v1/reservations/${last.body.id}/commit`, { token: shopper });
      // A cart line counts the same way, and refuses the whole cart.
      const other = await createVariant(t, 5);
      const cart = await batch(
        shopper,
        [
          { variantId: other, quantity: 1 },
          { variantId: id, quantity: 1 },
        ],
        'best_effort',
      );
      expect(cart.status).toBe(409);
      expect(cart.body.code).toBe('PURCHASE_LIMIT_EXCEEDED');
      expect(cart.body.message).toContain('0 more');
    });

    it('reconcile checks I6: ok while limits hold, names the shopper when a limit is lowered below their units', async () => {
      const id = await createVariant(t, 20, { purchaseLimit: 4 });
      const shopper = 'reconcile-limit-shopper';
      expect((await reserve(t.token(shopper), id, 3)).status).toBe(201);
      const ok = await t.request('GET', '/v1/admin/reconcile', { token: admin() });
      expect(ok.body).toMatchObject({ ok: true, violations: [] });
      await patch(id, { purchaseLimit: 2 });
      const report = await t.request('GET', '/v1/admin/reconcile', { token: admin() });
      expect(report.body.ok).toBe(false);
      expect(report.body.violations).toEqual([
        expect.objectContaining({ invariant: 'I6', subject: shopper }),
      ]);
      await patch(id, { purchaseLimit: null });
    });
  });

  it('the OpenAPI document lists every cart, extension and purchase-limit route with its codes', async () => {
    const docs = await t.request('GET', '/docs-json');
    const paths = docs.body.paths;
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining([
        '/v1/reservations/batch',
        '/v1/reservations/groups/{groupId}',
        '/v1/reservations/groups/{groupId}/commit',
        '/v1/reservations/groups/{groupId}/extend',
        '/v1/reservations/{id}/extend',
        '/v1/admin/variants/{id}',
      ]),
    );
    const batchDoc = paths['/v1/reservations/batch'].post;
    expect(Object.keys(batchDoc.responses)).toEqual(
      expect.arrayContaining(['201', '400', '404', '409', '422']),
    );
    expect(batchDoc.responses['409'].description).toContain('PURCHASE_LIMIT_EXCEEDED');
    expect(paths['/v1/reservations/{id}/extend'].post.responses['409'].description).toContain(
      'HOLD_LIFETIME_EXCEEDED',
    );
    const schemas = docs.body.components.schemas;
    expect(schemas.ReserveCartDto.properties.policy.enum).toEqual([
      'all_or_nothing',
      'best_effort',
    ]);
    expect(schemas.UpdateVariantDto.properties).toHaveProperty('purchaseLimit');
    expect(schemas.CreateVariantDto.properties).toHaveProperty('purchaseLimit');
  });

  it('/metrics counts cart holds by policy and outcome, and extensions by result', async () => {
    const text = (await t.request('GET', '/metrics')).body as string;
    expect(text).toMatch(
      /stockhold_cart_hold_outcomes_total\{policy="all_or_nothing",result="held"\} [1-9]/,
    );
    expect(text).toMatch(
      /stockhold_cart_hold_outcomes_total\{policy="best_effort",result="partial"\} [1-9]/,
    );
    expect(text).toMatch(
      /stockhold_cart_hold_outcomes_total\{policy="all_or_nothing",result="OUT_OF_STOCK"\} [1-9]/,
    );
    expect(text).toMatch(/stockhold_hold_extensions_total\{result="extended"\} [1-9]/);
    expect(text).toMatch(
      /stockhold_hold_extensions_total\{result="HOLD_LIFETIME_EXCEEDED"\} [1-9]/,
    );
  });
});
