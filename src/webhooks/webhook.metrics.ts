import { Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { MetricsService } from '../metrics/metrics.service';

export type DeliveryOutcome = 'delivered' | 'retried' | 'dead_lettered' | 'redelivered';

/** This process's webhook metrics (docs/webhooks.md, "Metrics"). No subscription or variant labels. */
@Injectable()
export class WebhookMetrics {
  readonly deliveries: Counter<'outcome'>;
  readonly lag: Histogram;
  readonly deadLetters: Counter;

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
    this.deliveries = new Counter({
      name: 'stockhold_webhook_deliveries_total',
      help: 'Webhook requests by outcome: delivered, retried (a failed attempt that will be retried), dead_lettered, redelivered (a re-driven dead letter delivered)',
      labelNames: ['outcome'] as const,
      registers,
    });
    this.lag = new Histogram({
      name: 'stockhold_webhook_delivery_lag_seconds',
      help: 'From the stock movement to its event being delivered (receiver answered 2xx)',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600],
      registers,
    });
    this.deadLetters = new Counter({
      name: 'stockhold_webhook_dead_letters_total',
      help: 'Events dead-lettered after WEBHOOK_RETRY_FOR_SECONDS of failures (GET /v1/admin/webhooks/:id/deliveries?status=failed)',
      registers,
    });
  }
}
