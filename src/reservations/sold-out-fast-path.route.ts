/**
 * Route config flag (set with @RouteConfig) that puts the sold-out fast path in front of a route.
 * In a file of its own: the fast path imports the controller (to admit under its decorators), and
 * the controller needs the flag, so neither imports the other in a loop.
 */
export const SOLD_OUT_FAST_PATH = 'soldOutFastPath';
