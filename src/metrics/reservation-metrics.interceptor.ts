import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Observable, tap } from 'rxjs';
import { DomainError } from '../common/errors/domain-errors';
import { MetricsService } from './metrics.service';

/** Counts reservation attempts by result and times them (result = created or the error code). */
@Injectable()
export class ReservationMetricsInterceptor implements NestInterceptor {
  constructor(private readonly metrics: MetricsService) {}

  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const stop = this.metrics.reservationDuration.startTimer();
    const record = (result: string) => {
      stop({ result });
      this.metrics.reservationOutcomes.inc({ result });
    };
    return next.handle().pipe(
      tap({
        next: () => record('created'),
        error: (error: unknown) =>
          record(error instanceof DomainError ? error.code : 'INTERNAL_ERROR'),
      }),
    );
  }
}
