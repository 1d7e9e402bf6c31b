import { Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { MetricsService } from '../metrics/metrics.service';

/** This process's stock bus counters. */
@Injectable()
export class StockBusMetrics {
  readonly published: Counter;
  readonly publishFailures: Counter;
  readonly received: Counter<'result'>;
  readonly connected: Gauge;

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
    this.published = new Counter({
      name: 'stockhold_stock_bus_published_total',
      help: 'Stock changes this process published on the Redis bus',
      registers,
    });
    this.publishFailures = new Counter({
      name: 'stockhold_stock_bus_publish_failures_total',
      help: 'Stock changes this process could not publish (Redis unavailable); peers rely on the sold-out gate TTL meanwhile',
      registers,
    });
    this.received = new Counter({
      name: 'stockhold_stock_bus_received_total',
      help: "Other instances' stock changes received from the bus, by result (applied, malformed)",
      labelNames: ['result'] as const,
      registers,
    });
    this.connected = new Gauge({
      name: 'stockhold_stock_bus_subscriber_connected',
      help: '1 while this API instance is subscribed to the stock bus, else 0',
      registers,
    });
  }
}
