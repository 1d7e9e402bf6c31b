import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { MetricsService } from './metrics.service';
import { METRICS_TOKEN_REFUSED, scrapeAllowed } from './metrics-token';

/**
 * The worker process has no HTTP API, yet its sweepers own metrics that matter (expiry lag,
 * holds expired). With WORKER_METRICS_PORT set it serves them on a minimal HTTP server:
 * GET /metrics for Prometheus and GET /health/live for the orchestrator; nothing else.
 */
@Injectable()
export class WorkerMetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('WorkerMetrics');
  private server?: Server;

  constructor(
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  /** The port it listens on, once listening. */
  get port(): number | undefined {
    return (this.server?.address() as AddressInfo | null)?.port;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.workerMetricsPort === 0) return;
    const server = createServer((request, response) => {
      const path = (request.url ?? '').split('?')[0];
      if (
        request.method === 'GET' &&
        path === '/metrics' &&
        !scrapeAllowed(this.config, request.headers.authorization)
      ) {
        response.writeHead(401, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({ statusCode: 401, code: 'UNAUTHORIZED', message: METRICS_TOKEN_REFUSED }),
        );
      } else if (request.method === 'GET' && path === '/metrics') {
        this.metrics.render().then(
          (body) => {
            response.writeHead(200, {
              'content-type': this.metrics.contentType,
              'cache-control': 'no-store',
            });
            response.end(body);
          },
          (error: unknown) => {
            this.logger.error(`metrics render failed: ${String(error)}`);
            response.writeHead(500).end();
          },
        );
      } else if (request.method === 'GET' && path === '/health/live') {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{"status":"ok"}');
      } else {
        response.writeHead(404, { 'content-type': 'application/json' });
        response.end('{"statusCode":404,"code":"NOT_FOUND","message":"Only GET /metrics here"}');
      }
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.workerMetricsPort, this.config.host, () => resolve());
    });
    this.server = server;
    this.logger.log(`metrics on http://${this.config.host}:${this.port}/metrics`);
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
