/**
 * The cart-rush scenario's pure parts: what each shopper's two carts are, how they travel in the
 * payload CSV, and the verdict from the inventories, reconcile, every shopper's holds and
 * artillery's report. The runner (run.mjs) does the I/O around them.
 */

/**
 * Shopper `index`'s carts over `variantCount` variants, the same on every run. Each cart names 2
 * or 3 distinct variants (offsets 0, 1, 3 from a start, distinct modulo 5) with 1–3 units per
 * line; every tenth first cart names its first variant twice, so the service must sum the two
 * lines. Shoppers alternate policies. The second cart starts two variants further on, so it
 * overlaps the first: after the first is committed it runs into the purchase limits (I6).
 */
export function planCarts(index, variantCount) {
  const cart = (start, salt) => {
    const lineCount = 2 + ((index + salt) % 2);
    return [0, 1, 3].slice(0, lineCount).map((offset, k) => ({
      variant: (start + offset) % variantCount,
      quantity: 1 + ((index + k + salt) % 3),
    }));
  };
  const start = index % variantCount;
  const first = cart(start, 0);
  if (index % 10 === 0) first.push({ variant: first[0].variant, quantity: 1 });
  return {
    policy: index % 2 === 0 ? 'all_or_nothing' : 'best_effort',
    first,
    second: cart((start + 2) % variantCount, 1),
  };
}

/** A cart as one CSV-safe field: `variant x quantity` pairs joined by dots, e.g. `0x2.3x1`. */
export function encodeCart(lines) {
  return lines.map((line) => `${line.variant}x${line.quantity}`).join('.');
}

/** The request lines of an encoded cart, with the seeded variant ids. */
export function decodeCart(text, variantIds) {
  return String(text)
    .split('.')
    .filter(Boolean)
    .map((pair) => {
      const [variant, quantity] = pair.split('x').map(Number);
      const variantId = variantIds[variant];
      if (variantId === undefined || !Number.isInteger(quantity)) {
        throw new Error(`bad cart line ${pair} for ${variantIds.length} variants`);
      }
      return { variantId, quantity };
    });
}

/** One payload row per shopper: id, policy, both carts encoded, token. */
export function cartRows(shoppers, variantCount, tokenFor) {
  return Array.from({ length: shoppers }, (_, index) => {
    const id = `cart-shopper-${index}`;
    const plan = planCarts(index, variantCount);
    return {
      id,
      policy: plan.policy,
      first: encodeCart(plan.first),
      second: encodeCart(plan.second),
      token: tokenFor(id),
    };
  });
}

export function cartCsv(rows) {
  const lines = rows.map((row) => [row.policy, row.first, row.second, row.token].join(','));
  return `${['policy,first,second,token', ...lines].join('\n')}\n`;
}

const count = (codes, status) => codes?.[String(status)] ?? 0;

/**
 * The verdict. `variants`: [{id, stockAtStart, purchaseLimit?, before, after}] (inventories);
 * `shopperHolds`: [{id, reservations}] each shopper's own reservations (every status);
 * `summary`: summarizeReport's figures, whose counters include the processor's
 * `stockhold.cart.<policy>.<outcome>` and `stockhold.cart.units`.
 */
export function verifyCartRush({ variants, reconcile, summary, shopperHolds, maxActive }) {
  const problems = [];
  let sold = 0;
  let held = 0;
  let stock = 0;
  let oversold = 0;
  for (const variant of variants) {
    const { before, after, stockAtStart } = variant;
    const soldHere = before.totalStock - after.totalStock;
    const heldHere = after.reservedStock - before.reservedStock;
    sold += soldHere;
    held += heldHere;
    stock += stockAtStart;
    const over = Math.max(
      0,
      soldHere + heldHere - stockAtStart,
      -after.availableStock,
      after.reservedStock - after.totalStock,
    );
    if (over > 0) problems.push(`variant ${variant.id}: ${over} units oversold`);
    oversold += over;
    if (after.availableStock + after.reservedStock !== after.totalStock) {
      problems.push(
        `variant ${variant.id} out of balance: available ${after.availableStock} + reserved ${after.reservedStock} ≠ total ${after.totalStock}`,
      );
    }
  }
  if (!reconcile.ok) {
    problems.push(`reconcile failed: ${JSON.stringify(reconcile.violations).slice(0, 500)}`);
  }

  const limits = new Map(
    variants.filter((v) => v.purchaseLimit != null).map((v) => [v.id, v.purchaseLimit]),
  );
  for (const shopper of shopperHolds) {
    const active = shopper.reservations.filter((r) => r.status === 'active');
    const activeVariants = active.map((r) => r.variantId);
    if (active.length > maxActive) {
      problems.push(`I3: ${shopper.id} has ${active.length} active holds (cap ${maxActive})`);
    }
    if (new Set(activeVariants).size !== activeVariants.length) {
      problems.push(`I3: ${shopper.id} holds one variant twice`);
    }
    const units = new Map();
    for (const r of shopper.reservations) {
      if (r.status !== 'active' && r.status !== 'committed') continue;
      units.set(r.variantId, (units.get(r.variantId) ?? 0) + r.quantity);
    }
    for (const [variantId, limit] of limits) {
      if ((units.get(variantId) ?? 0) > limit) {
        problems.push(
          `I6: ${shopper.id} has ${units.get(variantId)} units of ${variantId} (limit ${limit})`,
        );
      }
    }
  }

  // Units the service told shoppers it held must be exactly the units the inventories moved.
  const granted = summary.counters?.['stockhold.cart.units'] ?? 0;
  if (granted !== sold + held) {
    problems.push(`shoppers were granted ${granted} units; the inventories moved ${sold + held}`);
  }
  const unexpected = Object.keys(summary.codes).filter(
    (code) => !['200', '201', '409'].includes(code),
  );
  if (unexpected.length > 0 || summary.errors > 0) {
    problems.push(
      `every request should be answered 200, 201 or 409, got ${JSON.stringify(summary.codes)}` +
        (summary.errors ? ` and ${summary.errors} unanswered` : ''),
    );
  }
  for (const policy of ['all_or_nothing', 'best_effort']) {
    const heldCarts =
      (summary.counters?.[`stockhold.cart.${policy}.held`] ?? 0) +
      (summary.counters?.[`stockhold.cart.${policy}.partial`] ?? 0);
    if (heldCarts === 0) problems.push(`no ${policy} cart was held`);
  }
  // The rush must really contend for stock: some line somewhere came back OUT_OF_STOCK.
  const shortLines = Object.entries(summary.counters ?? {})
    .filter(([name]) => /^stockhold\.cart\.\w+\.(partial|OUT_OF_STOCK)$/.test(name))
    .reduce((total, [, value]) => total + value, 0);
  if (shortLines === 0 || count(summary.codes, 409) === 0) {
    problems.push('no cart line was short of stock: the rush contended for nothing');
  }
  return { sold, held, stock, oversold, ok: problems.length === 0, problems };
}
