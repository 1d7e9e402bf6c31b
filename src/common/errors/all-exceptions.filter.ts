import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toErrorBody } from './to-error-body';

/** The single global exception filter: every error leaves the service in the one error shape. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const { body, headers, unexpected } = toErrorBody(exception, String(request.id));
    if (unexpected) {
      this.logger.error(
        `${request.method} ${request.url} failed: ${(exception as Error)?.stack ?? String(exception)}`,
      );
    }
    void reply.status(body.statusCode).headers(headers).send(body);
  }
}
