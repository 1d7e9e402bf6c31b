import { createSigner } from 'fast-jwt';
import type { InventoryFigures, ReconcileFigures } from './verify';

/** Signs HS256 tokens the way the service verifies them (`sub`, `exp`, optional admin role). */
export function tokenSigner(secret: string): (sub: string, admin?: boolean) => string {
  const sign = createSigner({ key: secret, algorithm: 'HS256', expiresIn: 3_600_000 });
  return (sub, admin = false) => sign(admin ? { sub, roles: ['admin'] } : { sub });
}

/**
 * `count` shopper tokens, signed before the run so signing never competes with the service for
 * CPU while it is measured. Stored as ready-made header values.
 */
export function shopperAuthorizations(
  sign: (sub: string) => string,
  prefix: string,
  count: number,
): string[] {
  const headers = new Array<string>(count);
  for (let i = 0; i < count; i++) headers[i] = `Bearer ${sign(`${prefix}-${i}`)}`;
  return headers;
}

/** The admin calls the bench makes around a run: seed variants, read them back, reconcile. */
export class AdminApi {
  constructor(
    private readonly baseUrl: string,
    private readonly adminToken: string,
  ) {}

  async createVariant(sku: string, stock: number): Promise<string> {
    const body = await this.call<{ id: string }>('POST', '/v1/admin/variants', {
      sku,
      title: `bench ${sku}`,
      price: 99_900,
      stock,
    });
    return body.id;
  }

  inventory(variantId: string): Promise<InventoryFigures> {
    return this.call('GET', `/v1/inventory/${variantId}`);
  }

  reconcile(): Promise<ReconcileFigures> {
    return this.call('GET', '/v1/admin/reconcile');
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.adminToken}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${text}`);
    return JSON.parse(text) as T;
  }
}
