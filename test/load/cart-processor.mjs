/**
 * Artillery hooks for scenarios/cart-rush.yml. Each shopper sends its first cart, commits it when
 * anything was held, then sends its second cart (which overlaps the first, so purchase limits count
 * across the two orders). Answers are counted as `stockhold.cart.<policy>.<outcome>` — outcome
 * `held`, `partial` (best_effort with refused lines) or the error code — and the units granted as
 * `stockhold.cart.units`, which the runner compares with what the inventories moved.
 */
import { decodeCart } from './lib/cart-rush.mjs';

/** Before a virtual user starts: its two carts as request lines. */
export function planCartRequests(context, _events, done) {
  const vars = context.vars;
  const variantIds = String(vars.variantIds).split(',').filter(Boolean);
  vars.firstLines = decodeCart(vars.first, variantIds);
  vars.secondLines = decodeCart(vars.second, variantIds);
  vars.groupId = '';
  done();
}

export function firstCartBody(requestParams, context, _events, done) {
  requestParams.json = { lines: context.vars.firstLines, policy: context.vars.policy };
  done();
}

export function secondCartBody(requestParams, context, _events, done) {
  requestParams.json = { lines: context.vars.secondLines, policy: context.vars.policy };
  done();
}

/** `ifTrue` of the commit step: artillery calls it with the virtual user's variables. */
export function firstCartHeld(vars) {
  return Boolean(vars.groupId);
}

/** The outcome label of a cart answer, and the units it held. */
export function cartOutcome(statusCode, body) {
  let parsed;
  try {
    parsed = typeof body === 'string' ? JSON.parse(body) : body;
  } catch {
    parsed = undefined;
  }
  if (statusCode === 201 && Array.isArray(parsed?.lines)) {
    const held = parsed.lines.filter((line) => line.status === 'held');
    return {
      outcome: held.length === parsed.lines.length ? 'held' : 'partial',
      units: held.reduce((sum, line) => sum + line.quantity, 0),
      groupId: parsed.groupId,
    };
  }
  return { outcome: parsed?.code ?? String(statusCode), units: 0, groupId: '' };
}

export function countCart(_request, response, context, events, done) {
  const { outcome, units, groupId } = cartOutcome(response.statusCode, response.body);
  events.emit('counter', `stockhold.cart.${context.vars.policy}.${outcome}`, 1);
  if (units > 0) events.emit('counter', 'stockhold.cart.units', units);
  context.vars.groupId = groupId;
  done();
}
