/**
 * Artillery hooks for scenarios/waitlist-fairness.yml. Every shopper tries to hold one unit. One
 * who gets it keeps it a random while, then releases it. One who does not either joins the
 * waitlist (role `waiter`) or keeps refreshing, trying to hold again now and then (role
 * `refresher`, the bot-like shopper a waitlist must not favour). Answers are counted as
 * `stockhold.<step>.<status>` (reserve, join, refresh, release), which the runner checks.
 */

/** How long a holder keeps a unit before releasing it: long enough for the line to form first. */
export const HOLD_MS = { min: 2_000, max: 8_000 };
export const REFRESH_PAUSE_MS = 1_000;

/** Before a virtual user starts. */
export function planShopper(context, _events, done) {
  context.vars.reservationId = '';
  done();
}

export function countReserve(_request, response, context, events, done) {
  events.emit('counter', `stockhold.reserve.${response.statusCode}`, 1);
  context.vars.reservationId = response.statusCode === 201 ? idOf(response.body) : '';
  done();
}

export function countStep(step) {
  return (_request, response, _context, events, done) => {
    events.emit('counter', `stockhold.${step}.${response.statusCode}`, 1);
    done();
  };
}

export const countJoin = countStep('join');
export const countRefresh = countStep('refresh');
export const countRelease = countStep('release');

/** `ifTrue` conditions: artillery calls them with the virtual user's variables. */
export function held(vars) {
  return Boolean(vars.reservationId);
}

export function waits(vars) {
  return !vars.reservationId && vars.role === 'waiter';
}

export function refreshes(vars) {
  return !vars.reservationId && vars.role === 'refresher';
}

/** A holder keeps its unit a random while (released at random, as the scenario asks). */
export function keepHold(context, _events, done) {
  if (!context.vars.reservationId) return done();
  const ms = HOLD_MS.min + Math.random() * (HOLD_MS.max - HOLD_MS.min);
  setTimeout(done, ms);
}

/** Before each of a refresher's attempts: a moment's wait (everyone else goes on at once). */
export function pauseIfRefresher(context, _events, done) {
  if (!refreshes(context.vars)) return done();
  setTimeout(done, REFRESH_PAUSE_MS);
}

function idOf(body) {
  try {
    return (typeof body === 'string' ? JSON.parse(body) : body)?.id ?? '';
  } catch {
    return '';
  }
}
