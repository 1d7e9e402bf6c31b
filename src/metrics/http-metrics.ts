import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { Counter } from 'prom-client';
import { MetricsService } from './metrics.service';

/**
 * Counts every HTTP answer by method, route template and status, so dashboards and alerts see
 * 429s and 5xx on any route (not only reservations). The route label is Fastify's template
 * (`/v1/reservations/:id`), never the raw URL, so ids never become labels; requests that match
 * no route share `unmatched`. In the worker process (no HTTP adapter) it does nothing.
 */
@Injectable()
export class HttpMetrics implements OnModuleInit {
  readonly responses: Counter<'method' | 'route' | 'status'>;

  constructor(
    metrics: MetricsService,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    this.responses = new Counter({
      name: 'stockhold_http_responses_total',
      help: 'HTTP responses by method, route template and status code',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [metrics.registry],
    });
  }

  /** Runs while the app initialises, before Fastify is ready, when hooks may still be added. */
  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter;
    if (!adapter) return;
    const fastify = adapter.getInstance<FastifyInstance>();
    fastify.addHook('onResponse', (request, reply, done) => {
      this.responses.inc({
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: String(reply.statusCode),
      });
      done();
    });
  }
}
