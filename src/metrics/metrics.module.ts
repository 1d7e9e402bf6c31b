import { Global, Module } from '@nestjs/common';
import { HttpMetrics } from './http-metrics';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';
import { MetricsTokenGuard } from './metrics-token';

@Global()
@Module({
  controllers: [MetricsController],
  providers: [MetricsService, HttpMetrics, MetricsTokenGuard],
  exports: [MetricsService],
})
export class MetricsModule {}
