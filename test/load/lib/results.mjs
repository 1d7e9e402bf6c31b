/**
 * Pure functions from what a load run produced (artillery's JSON report, the inventory before and
 * after, the reconcile report, each bot's holds) to a verdict and the one result line.
 */

/** The figures the runner needs from artillery's `--output` report (its `aggregate` part). */
export function summarizeReport(report) {
  const counters = report?.aggregate?.counters ?? {};
  const timing = report?.aggregate?.summaries?.['http.response_time'] ?? {};
  const codes = {};
  const byRole = {};
  let errors = 0;
  for (const [name, value] of Object.entries(counters)) {
    const code = /^http\.codes\.(\d{3})$/.exec(name);
    if (code) codes[code[1]] = value;
    const role = /^stockhold\.(\w+)\.(\d{3})$/.exec(name);
    if (role) (byRole[role[1]] ??= {})[role[2]] = value;
    // Socket-level failures (ETIMEDOUT, ECONNRESET, …): requests that got no answer at all.
    if (name.startsWith('errors.')) errors += value;
  }
  return {
    requests: counters['http.requests'] ?? 0,
    responses: counters['http.responses'] ?? 0,
    codes,
    byRole,
    errors,
    vusersCreated: counters['vusers.created'] ?? 0,
    vusersFailed: counters['vusers.failed'] ?? 0,
    latency: {
      p50: timing.median ?? timing.p50 ?? 0,
      p95: timing.p95 ?? 0,
      p99: timing.p99 ?? 0,
      max: timing.max ?? 0,
    },
  };
}

const count = (codes, status) => codes?.[String(status)] ?? 0;

/**
 * Checks a run. `before` and `after` are the sale variant's inventory; `stockAtStart` is what was
 * available to the load; `tokens` how many distinct shoppers were signed. Oversold units are counted three ways (units the inventory reserved,
 * units clients were granted, negative availability) and the worst is reported.
 */
export function verifyRun({
  scenario,
  stockAtStart,
  tokens,
  before,
  after,
  reconcile,
  summary,
  botHolds,
}) {
  const problems = [];
  const reserved = after.reservedStock - before.reservedStock;
  const granted = scenario.bots ? undefined : count(summary.codes, 201);
  const oversold = Math.max(
    0,
    reserved - stockAtStart,
    (granted ?? 0) - stockAtStart,
    -after.availableStock,
    after.reservedStock - after.totalStock,
  );
  if (oversold > 0) problems.push(`${oversold} units oversold`);
  if (after.availableStock + after.reservedStock !== after.totalStock) {
    problems.push(
      `inventory out of balance: available ${after.availableStock} + reserved ${after.reservedStock} ≠ total ${after.totalStock}`,
    );
  }
  if (!reconcile.ok) {
    problems.push(`reconcile failed: ${JSON.stringify(reconcile.violations).slice(0, 500)}`);
  }
  if (reserved !== scenario.expectedReserved) {
    problems.push(`expected exactly ${scenario.expectedReserved} units reserved, got ${reserved}`);
  }
  if (summary.vusersCreated > tokens) {
    problems.push(
      `${summary.vusersCreated} virtual users for ${tokens} tokens: some shoppers went twice`,
    );
  }
  if (scenario.bots) {
    problems.push(...verifyBots({ scenario, summary, botHolds, reserved }));
  } else {
    // One attempt per shopper: each gets a hold or a clean OUT_OF_STOCK, nothing else.
    const expected409 = scenario.shoppers - scenario.expectedReserved;
    if (granted !== scenario.expectedReserved || count(summary.codes, 409) !== expected409) {
      problems.push(
        `expected ${scenario.expectedReserved} × 201 and ${expected409} × 409, got ${JSON.stringify(summary.codes)}` +
          (summary.errors ? ` and ${summary.errors} unanswered` : ''),
      );
    }
  }
  return { reserved, oversold, ok: problems.length === 0, problems };
}

/** The bot-hoarding checks: caps held, limits hit, real shoppers still served. */
export function verifyBots({ scenario, summary, botHolds, reserved }) {
  const problems = [];
  const maxActive = botHolds.maxActiveReservations;
  for (const bot of botHolds.bots) {
    const variants = bot.holds.map((hold) => hold.variantId);
    if (bot.holds.length > maxActive) {
      problems.push(`${bot.id} holds ${bot.holds.length} reservations (cap ${maxActive})`);
    }
    if (new Set(variants).size !== variants.length) {
      problems.push(`${bot.id} holds the same variant twice`);
    }
  }
  const bots = summary.byRole.bot ?? {};
  const shoppers = summary.byRole.shopper ?? {};
  if (count(bots, 429) === 0) {
    problems.push('no bot was rate limited (is RESERVE_RATE_LIMIT at or above --bot-attempts?)');
  }
  const shopperAnswers = Object.values(shoppers).reduce((total, value) => total + value, 0);
  const shopperServed = count(shoppers, 201) + count(shoppers, 409);
  if (shopperServed !== scenario.shoppers || shopperAnswers !== scenario.shoppers) {
    problems.push(
      `every shopper should get 201 or 409, got ${JSON.stringify(shoppers)} for ${scenario.shoppers} shoppers`,
    );
  }
  if (count(shoppers, 201) === 0 && reserved > 0) {
    problems.push('the bots took every unit: no real shopper got one');
  }
  return problems;
}

/** The bots' holds on the sale variant, from their own reservation lists. */
export function botUnitsOn(botHolds, variantId) {
  return botHolds.bots.reduce(
    (total, bot) =>
      total +
      bot.holds
        .filter((hold) => hold.variantId === variantId)
        .reduce((sum, hold) => sum + hold.quantity, 0),
    0,
  );
}

function ms(value) {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/** The one closing line: `scenario <name>: reserved X/Y, oversold 0, 409 N, 429 N, p50 … ms`. */
export function formatResultLine(name, { reserved, stock, oversold, codes, latency }) {
  return (
    `scenario ${name}: reserved ${reserved}/${stock}, oversold ${oversold}, ` +
    `409 ${count(codes, 409)}, 429 ${count(codes, 429)}, ` +
    `p50 ${ms(latency.p50)} p95 ${ms(latency.p95)} p99 ${ms(latency.p99)} ms`
  );
}
