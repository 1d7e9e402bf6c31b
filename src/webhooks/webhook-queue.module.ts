import { Module } from '@nestjs/common';
import { WebhookDeliveryQueue } from './webhook-delivery.queue';

/** The webhook delivery queue, shared by the API (re-drive) and the workers. */
@Module({
  providers: [WebhookDeliveryQueue],
  exports: [WebhookDeliveryQueue],
})
export class WebhookQueueModule {}
