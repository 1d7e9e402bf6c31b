import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../common/auth/auth.decorators';
import { ObjectIdPipe } from '../common/object-id.pipe';
import { CreateWebhookDto } from './dto/create-webhook.dto';
import { DEFAULT_DELIVERIES_PAGE, ListDeliveriesDto } from './dto/list-deliveries.dto';
import {
  presentCreatedWebhook,
  presentDelivery,
  presentWebhook,
  type CreatedWebhookResponse,
  type DeliveryResponse,
  type WebhookResponse,
} from './webhook.presenter';
import { WebhooksService } from './webhooks.service';

@ApiTags('admin')
@ApiBearerAuth()
@Controller('v1/admin/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @AdminOnly()
  @ApiOperation({
    summary: 'Subscribe a URL to stock events (admin)',
    description:
      'Each event is POSTed as JSON, signed with `Stockhold-Signature: t=<unix>,v1=<hex HMAC-SHA256 ' +
      'of "t.body">`, in order per variant, retried with backoff, then dead-lettered. The secret ' +
      '(generated when left out) is shown in this answer only. See docs/webhooks.md.',
  })
  async create(@Body() body: CreateWebhookDto): Promise<CreatedWebhookResponse> {
    return presentCreatedWebhook(await this.webhooks.create(body));
  }

  @Get()
  @AdminOnly()
  @ApiOperation({ summary: 'Every webhook subscription, oldest first, without secrets (admin)' })
  async list(): Promise<WebhookResponse[]> {
    return (await this.webhooks.list()).map(presentWebhook);
  }

  @Get(':id')
  @AdminOnly()
  @ApiOperation({ summary: 'One webhook subscription, without its secret (admin)' })
  async get(@Param('id', ObjectIdPipe) id: string): Promise<WebhookResponse> {
    return presentWebhook(await this.webhooks.get(id));
  }

  @Delete(':id')
  @AdminOnly()
  @ApiOperation({
    summary: 'Delete a webhook subscription, its lanes and dead letters (admin)',
    description: 'Events still queued for it are dropped.',
  })
  async delete(@Param('id', ObjectIdPipe) id: string): Promise<WebhookResponse> {
    const subscription = await this.webhooks.get(id);
    await this.webhooks.delete(id);
    return presentWebhook(subscription);
  }

  @Get(':id/deliveries')
  @AdminOnly()
  @ApiOperation({
    summary: "A subscription's dead letters and their replays, newest first (admin)",
    description: '`status=failed` lists the dead letters that can be re-driven.',
  })
  async deliveries(
    @Param('id', ObjectIdPipe) id: string,
    @Query() query: ListDeliveriesDto,
  ): Promise<DeliveryResponse[]> {
    const found = await this.webhooks.deliveries(
      id,
      query.status,
      query.limit ?? DEFAULT_DELIVERIES_PAGE,
    );
    return found.map(presentDelivery);
  }

  @Post(':id/deliveries/:deliveryId/redrive')
  @AdminOnly()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Replay a dead letter (admin)',
    description:
      'Queues the event again with the same id and body (status becomes redriving, then ' +
      'delivered, or failed again after the retry bound). Out of its lane’s order: the lane ' +
      'moved on when it was dead-lettered.',
  })
  async redrive(
    @Param('id', ObjectIdPipe) id: string,
    @Param('deliveryId', ObjectIdPipe) deliveryId: string,
  ): Promise<DeliveryResponse> {
    return presentDelivery(await this.webhooks.redrive(id, deliveryId));
  }
}
