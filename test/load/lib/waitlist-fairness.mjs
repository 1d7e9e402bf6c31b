/**
 * waitlist-fairness (docs/architecture.md §11, docs/waitlist.md): who plays which part, and the
 * verdict from what the run left behind — the shoppers' waitlist entries, the variant's ledger,
 * its inventory and reconcile. Pure functions; the runner (run.mjs) fetches the inputs.
 */

/** One in this many shoppers refreshes instead of joining the line. */
export const REFRESHER_EVERY = 10;

export function waitlistRows(shoppers, tokenFor) {
  return Array.from({ length: shoppers }, (_, i) => {
    const role = i % REFRESHER_EVERY === REFRESHER_EVERY - 1 ? 'refresher' : 'waiter';
    const id = `${role}-${i}`;
    return { role, id, token: tokenFor(id) };
  });
}

export function waitlistCsv(rows) {
  return ['role,token', ...rows.map((row) => `${row.role},${row.token}`)].join('\n') + '\n';
}

const counter = (counters, name) => counters[name] ?? 0;

/**
 * The checks:
 *  - holds were placed directly only while stock lasted (exactly `stock` 201s), and never by a
 *    refresher once the line had formed;
 *  - the ledger: every unit released or expired became an offer (a `reserved` movement by the
 *    waitlist) while entries still waited, and nothing else was reserved after the first `stock`;
 *  - join order: no entry still waiting joined before an entry that got an offer, and the
 *    waiting entries' positions are 1…n in join order;
 *  - nobody skipped or expired (no cap applies), reconcile ok (I1–I8), available below 1 (I8).
 * `entries` are the waiters' entries as GET answers them (null when a waiter has none).
 */
export function verifyWaitlistFairness({ stock, counters, entries, movements, after, reconcile }) {
  const problems = [];
  const direct = counter(counters, 'stockhold.reserve.201');
  const refreshed = counter(counters, 'stockhold.refresh.201');
  if (direct !== stock) problems.push(`expected ${stock} direct holds, got ${direct}`);
  if (refreshed > 0) problems.push(`${refreshed} units went to refreshers past the line`);

  const reservedBy = (actor) =>
    movements.filter((m) => m.type === 'reserved' && (m.actor === 'waitlist') === actor).length;
  const offers = reservedBy(true);
  const directMovements = reservedBy(false);
  const freed = movements
    .filter((m) => m.type === 'released' || m.type === 'expired')
    .reduce((sum, m) => sum + m.delta.available, 0);
  const offeredUnits = movements
    .filter((m) => m.type === 'reserved' && m.actor === 'waitlist')
    .reduce((sum, m) => sum + m.delta.reserved, 0);
  if (directMovements !== stock) {
    problems.push(`${directMovements} holds outside the waitlist, expected ${stock}`);
  }

  const present = entries.filter((entry) => entry !== null);
  const offered = present.filter((entry) => entry.status === 'offered');
  const waiting = present.filter((entry) => entry.status === 'waiting');
  const other = present.filter((entry) => entry.status !== 'offered' && entry.status !== 'waiting');
  if (other.length > 0) {
    problems.push(`${other.length} entries neither offered nor waiting: ${other[0].status}`);
  }
  if (offered.length !== offers) {
    problems.push(`${offered.length} entries offered, ${offers} offer holds in the ledger`);
  }
  if (waiting.length > 0 && offeredUnits !== freed) {
    problems.push(`${freed} units freed while shoppers waited, ${offeredUnits} offered`);
  }
  const time = (entry) => Date.parse(entry.joinedAt);
  const lastOffered = Math.max(...offered.map(time));
  const jumped = waiting.filter((entry) => time(entry) < lastOffered);
  if (jumped.length > 0) {
    problems.push(`${jumped.length} waiting entries joined before an entry that got an offer`);
  }
  const byPosition = [...waiting].sort((a, b) => a.position - b.position);
  const positionsRight = byPosition.every(
    (entry, i) => entry.position === i + 1 && (i === 0 || time(byPosition[i - 1]) <= time(entry)),
  );
  if (!positionsRight) problems.push('waiting positions are not 1…n in join order');

  if (!reconcile.ok) {
    problems.push(`reconcile failed: ${JSON.stringify(reconcile.violations).slice(0, 500)}`);
  }
  if (waiting.length > 0 && after.availableStock > 0) {
    problems.push(`${after.availableStock} units available while ${waiting.length} wait (I8)`);
  }
  const oversold = Math.max(0, -after.availableStock, after.reservedStock - after.totalStock);
  if (oversold > 0) problems.push(`${oversold} units oversold`);
  return {
    ok: problems.length === 0,
    problems,
    oversold,
    freed,
    offers,
    waiting: waiting.length,
    reserved: after.reservedStock,
  };
}
