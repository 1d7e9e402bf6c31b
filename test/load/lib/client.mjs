/** The few HTTP calls the runner makes itself, around the load (fetch; no dependencies). */

/** Loopback only: 127.0.0.0/8, ::1 and localhost. */
export function isLoopback(hostname) {
  const host = hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

async function call(baseUrl, token, method, path, body) {
  // A service that stops answering must not hang the runner.
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 10_000);
  try {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: controller.signal,
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    return text ? JSON.parse(text) : undefined;
  } finally {
    clearTimeout(timer);
  }
}

export class AdminClient {
  constructor(baseUrl, token) {
    this.baseUrl = baseUrl;
    this.token = token;
  }

  health() {
    return call(this.baseUrl, undefined, 'GET', '/health/live');
  }

  async createVariant(sku, stock, extra = {}) {
    const variant = await call(this.baseUrl, this.token, 'POST', '/v1/admin/variants', {
      sku,
      title: `load scenario ${sku}`,
      price: 99_900,
      stock,
      ...extra,
    });
    return variant.id;
  }

  inventory(variantId) {
    return call(this.baseUrl, this.token, 'GET', `/v1/inventory/${variantId}`);
  }

  reconcile() {
    return call(this.baseUrl, this.token, 'GET', '/v1/admin/reconcile');
  }

  /** The variant's whole ledger, oldest first. */
  async movements(variantId) {
    const all = [];
    for (let after = 0; ;) {
      const page = await call(
        this.baseUrl,
        this.token,
        'GET',
        `/v1/admin/variants/${variantId}/movements?after=${after}&limit=500`,
      );
      all.push(...page.items);
      if (page.nextAfter === null) return all;
      after = page.nextAfter;
    }
  }
}

export class ShopperClient {
  constructor(baseUrl, token) {
    this.baseUrl = baseUrl;
    this.token = token;
  }

  reserve(variantId, quantity) {
    return call(this.baseUrl, this.token, 'POST', '/v1/reservations', { variantId, quantity });
  }

  /** Every reservation of the shopper (up to 100), whatever its status. */
  async reservations() {
    const page = await call(this.baseUrl, this.token, 'GET', '/v1/reservations?limit=100');
    return page.items;
  }

  /** The shopper's waitlist entry for the variant, or null when there is none (404). */
  async waitlistEntry(variantId) {
    try {
      return await call(this.baseUrl, this.token, 'GET', `/v1/variants/${variantId}/waitlist`);
    } catch (error) {
      if (/answered 404/.test(error.message)) return null;
      throw error;
    }
  }

  async activeReservations() {
    const page = await call(
      this.baseUrl,
      this.token,
      'GET',
      '/v1/reservations?status=active&limit=100',
    );
    return page.items;
  }
}
