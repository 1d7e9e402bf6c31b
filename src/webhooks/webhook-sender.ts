import { Injectable } from '@nestjs/common';
import { lookup, type LookupAddress, type LookupOptions } from 'node:dns';
import * as http from 'node:http';
import * as https from 'node:https';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import type { StockEvent } from '../events/stock-event-rules';
import type { WebhookSubscription } from '../store/webhooks';
import { toPayload } from './webhook-payload';
import { SIGNATURE_HEADER, signatureHeader } from './webhook-signature';
import { checkWebhookTarget, isPrivateAddress, WebhookTargetRefused } from './webhook-target';

/** A receiver has this long to answer, headers and body (docs/webhooks.md). */
export const DELIVERY_TIMEOUT_MS = 5000;
export const EVENT_ID_HEADER = 'Stockhold-Event-Id';

export type SendOutcome = { ok: true; status: number } | { ok: false; error: string };

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A dns.lookup for the socket that refuses private addresses at connect time. Checking the name
 * before the request is not enough: it could resolve elsewhere a moment later (DNS rebinding), so
 * the addresses the connection actually uses are judged here too.
 */
export function guardedLookup(allowPrivate: boolean) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      if (
        !allowPrivate &&
        (addresses.length === 0 || addresses.some((a) => isPrivateAddress(a.address)))
      ) {
        return callback(
          Object.assign(new Error(`${hostname} resolves to a private address`), {
            code: 'EPRIVATE',
          }),
          [],
        );
      }
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

/**
 * Makes one webhook request: POST of the event's JSON, signed (webhook-signature.ts), with the
 * event id in a header. 2xx is success; anything else — a 3xx included, since redirects are never
 * followed (node:http does not follow them) — a network error or the 5 s timeout is a failure.
 * The target is checked again before every request (webhook-target.ts), and at connect time.
 */
@Injectable()
export class WebhookSender {
  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async send(subscription: WebhookSubscription, event: StockEvent): Promise<SendOutcome> {
    let url: URL;
    try {
      url = await checkWebhookTarget(subscription.url, this.config.webhookAllowPrivate);
    } catch (error) {
      const reason = error instanceof WebhookTargetRefused ? error.message : String(error);
      return { ok: false, error: `target refused: ${reason}` };
    }
    const body = JSON.stringify(toPayload(event));
    const unixSeconds = Math.floor(this.clock.now().getTime() / 1000);
    const headers = {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      'user-agent': 'stockhold-webhooks/1',
      [EVENT_ID_HEADER]: event.id,
      [SIGNATURE_HEADER]: signatureHeader(subscription.secret, body, unixSeconds),
    };
    return new Promise<SendOutcome>((resolve) => {
      const client = url.protocol === 'https:' ? https : http;
      const request = client.request(url, {
        method: 'POST',
        headers,
        lookup: guardedLookup(this.config.webhookAllowPrivate) as never,
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
        // A fresh connection per request: no pooled socket outlives a target check.
        agent: false,
      });
      request.on('response', (response) => {
        const status = response.statusCode ?? 0;
        // The body is read to its end (inside the same timeout) and thrown away.
        response.resume();
        response.on('end', () =>
          resolve(
            status >= 200 && status < 300
              ? { ok: true, status }
              : { ok: false, error: `HTTP ${status}` },
          ),
        );
        response.on('error', (error) => resolve({ ok: false, error: describe(error) }));
      });
      request.on('error', (error) => resolve({ ok: false, error: describe(error) }));
      request.end(body);
    });
  }
}

function describe(error: Error): string {
  if (error.name === 'TimeoutError' || error.name === 'AbortError') {
    return `no answer within ${DELIVERY_TIMEOUT_MS / 1000} s`;
  }
  return (error as NodeJS.ErrnoException).code ?? error.message;
}
