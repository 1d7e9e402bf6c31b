import { Module } from '@nestjs/common';
import { WebhookDeliveryWorker } from './webhook-delivery.worker';
import { WebhookLanes } from './webhook-lanes';
import { WebhookPublisher } from './webhook-publisher';
import { WebhookQueueModule } from './webhook-queue.module';
import { WebhookSender } from './webhook-sender';
import { WebhookMetrics } from './webhook.metrics';

/** The webhook background work: the publisher and the delivery worker (docs/webhooks.md). */
@Module({
  imports: [WebhookQueueModule],
  providers: [WebhookLanes, WebhookSender, WebhookMetrics, WebhookPublisher, WebhookDeliveryWorker],
  exports: [WebhookPublisher, WebhookDeliveryWorker],
})
export class WebhookWorkersModule {}
