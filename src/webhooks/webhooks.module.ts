import { Module } from '@nestjs/common';
import { WebhookQueueModule } from './webhook-queue.module';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

/** Webhook subscriptions and dead letters over HTTP (docs/webhooks.md). */
@Module({
  imports: [WebhookQueueModule],
  controllers: [WebhooksController],
  providers: [WebhooksService],
})
export class WebhooksModule {}
