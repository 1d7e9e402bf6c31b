import { DynamicModule, Module } from '@nestjs/common';
import { CoreModule, CoreOptions } from './core.module';
import { WorkersModule } from './workers.module';

/** The root module of the worker process: the core providers and the background work, no HTTP. */
@Module({})
export class WorkerModule {
  static forRoot(options: CoreOptions): DynamicModule {
    return {
      module: WorkerModule,
      imports: [CoreModule.forRoot(options), WorkersModule],
    };
  }
}
