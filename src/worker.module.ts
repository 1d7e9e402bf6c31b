import { DynamicModule, Module } from '@nestjs/common';
import { CoreModule, CoreOptions } from './core.module';
import { WorkerMetricsServer } from './metrics/worker-metrics.server';
import { WorkersModule } from './workers.module';

/**
 * The root module of the worker process: the core providers and the background work. No HTTP API;
 * with WORKER_METRICS_PORT, a metrics endpoint.
 */
@Module({})
export class WorkerModule {
  static forRoot(options: CoreOptions): DynamicModule {
    return {
      module: WorkerModule,
      imports: [CoreModule.forRoot(options), WorkersModule],
      providers: [WorkerMetricsServer],
    };
  }
}
