import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { redactUrl } from '../logging';
import { toErrorBody } from './to-error-body';

/** The single global exception filter: every error leaves the service in the one error shape. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    if (clientWentAway(exception, request)) {
      // Nobody is left to answer, and a client hanging up is not a server failure: a line at
      // error level per abort would let anyone flood the logs.
      this.logger.debug({
        msg: 'client went away',
        req: { id: request.id, method: request.method, url: redactUrl(request.url) },
      });
      return;
    }
    const { body, headers, unexpected } = toErrorBody(exception, String(request.id));
    if (unexpected) {
      this.logger.error(
        `${request.method} ${redactUrl(request.url)} failed: ${(exception as Error)?.stack ?? String(exception)}`,
      );
    }
    void reply.status(body.statusCode).headers(headers).send(body);
  }
}

/** Node's "aborted" error: the client closed the connection before its request was read. */
function clientWentAway(exception: unknown, request: FastifyRequest): boolean {
  return (
    (exception as NodeJS.ErrnoException | undefined)?.code === 'ECONNRESET' &&
    (request.raw.destroyed || request.raw.readableAborted)
  );
}
