import { AdminApi, shopperAuthorizations } from './api';
import type { RequestSource } from './load';
import type { ScenarioName } from './plan';
import { verifyStock, type StockVerdict } from './verify';

export interface PreparedScenario {
  requests: RequestSource;
  expectedStatuses: readonly number[];
  /**
   * Checks the stock after the run, given how many reservation attempts were answered 2xx and how
   * many requests may have been cut off unanswered when the load stopped.
   */
  verify: (holdsAnswered: number, unansweredAllowance: number) => Promise<StockVerdict>;
}

export interface ScenarioContext {
  api: AdminApi;
  sign: (sub: string) => string;
  /** Unique per run, so SKUs and shopper ids never collide. */
  tag: string;
  /** Seconds of load this scenario will see (warm-up included): sizes the shopper pool. */
  seconds: number;
}

/** Stock that a live sale at full speed cannot exhaust in a bench run. */
const LIVE_STOCK = 10_000_000;
/** Each live-sale shopper may hold up to MAX_ACTIVE_RESERVATIONS (5) variants, one hold each. */
const LIVE_VARIANTS = 5;
/** A ceiling on attempts per second the pool is sized for; past it, shoppers would repeat. */
const LIVE_MAX_RATE = 20_000;
/**
 * Retrying shoppers on the sold-out path, and readers. Each of the 100 connections cycles through
 * all of them, so every shopper retries all the time; autocannon builds each request once.
 */
const RETRYING_SHOPPERS = 500;

const JSON_HEADERS = { 'content-type': 'application/json' };

export async function prepareScenario(
  name: ScenarioName,
  context: ScenarioContext,
): Promise<PreparedScenario> {
  switch (name) {
    case 'live-sale':
      return prepareLiveSale(context);
    case 'sold-out':
      return prepareSoldOut(context);
    case 'reads':
      return prepareReads(context);
  }
}

/**
 * Many distinct shoppers, one attempt per (shopper, variant), stock left: every attempt should be
 * a 201. Attempt k is shopper k mod P on variant ⌊k / P⌋, so no shopper ever repeats a variant
 * or passes the five-hold cap while the pool lasts (P × 5 attempts).
 */
async function prepareLiveSale(context: ScenarioContext): Promise<PreparedScenario> {
  const variants: string[] = [];
  for (let i = 0; i < LIVE_VARIANTS; i++) {
    variants.push(await context.api.createVariant(`${context.tag}-live-${i}`, LIVE_STOCK));
  }
  const poolSize = Math.max(1_000, Math.ceil((LIVE_MAX_RATE * context.seconds) / LIVE_VARIANTS));
  const shoppers = shopperAuthorizations(context.sign, `${context.tag}-shopper`, poolSize);
  const bodies = variants.map((variantId) => JSON.stringify({ variantId, quantity: 1 }));
  let attempt = 0;
  return {
    requests: {
      next: () => {
        const shopper = attempt % poolSize;
        const variant = Math.floor(attempt / poolSize) % LIVE_VARIANTS;
        attempt += 1;
        return {
          method: 'POST',
          path: '/v1/reservations',
          headers: { ...JSON_HEADERS, authorization: shoppers[shopper] },
          body: bodies[variant],
        };
      },
    },
    expectedStatuses: [201],
    verify: (holdsAnswered, unansweredAllowance) =>
      verifyAgainst(context.api, variants, {
        initialAvailable: LIVE_STOCK * LIVE_VARIANTS,
        holdsAnswered,
        unansweredAllowance,
      }),
  };
}

/** A stampede on a variant with no stock: shoppers retrying, every answer a 409 OUT_OF_STOCK. */
async function prepareSoldOut(context: ScenarioContext): Promise<PreparedScenario> {
  const variantId = await context.api.createVariant(`${context.tag}-sold-out`, 0);
  const shoppers = shopperAuthorizations(context.sign, `${context.tag}-retry`, RETRYING_SHOPPERS);
  const body = JSON.stringify({ variantId, quantity: 1 });
  return {
    requests: {
      cycle: shoppers.map((authorization) => ({
        method: 'POST' as const,
        path: '/v1/reservations',
        headers: { ...JSON_HEADERS, authorization },
        body,
      })),
    },
    expectedStatuses: [409],
    verify: (holdsAnswered, unansweredAllowance) =>
      verifyAgainst(context.api, [variantId], {
        initialAvailable: 0,
        holdsAnswered,
        unansweredAllowance,
      }),
  };
}

/** Shoppers refreshing a product page's stock figure. */
async function prepareReads(context: ScenarioContext): Promise<PreparedScenario> {
  const stock = 100;
  const variantId = await context.api.createVariant(`${context.tag}-reads`, stock);
  const shoppers = shopperAuthorizations(context.sign, `${context.tag}-reader`, RETRYING_SHOPPERS);
  const path = `/v1/inventory/${variantId}`;
  return {
    requests: {
      cycle: shoppers.map((authorization) => ({
        method: 'GET' as const,
        path,
        headers: { authorization },
      })),
    },
    expectedStatuses: [200],
    verify: () =>
      verifyAgainst(context.api, [variantId], {
        initialAvailable: stock,
        holdsAnswered: 0,
        unansweredAllowance: 0,
      }),
  };
}

async function verifyAgainst(
  api: AdminApi,
  variants: string[],
  figures: { initialAvailable: number; holdsAnswered: number; unansweredAllowance: number },
): Promise<StockVerdict> {
  const inventories = await Promise.all(variants.map((variantId) => api.inventory(variantId)));
  return verifyStock({
    ...figures,
    initialReserved: 0,
    quantityPerHold: 1,
    inventories,
    reconcile: await api.reconcile(),
  });
}
