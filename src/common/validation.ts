import { ValidationError, ValidationPipe } from '@nestjs/common';
import { ValidationFailedError } from './errors/domain-errors';

function flatten(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) =>
      // class-validator prefixes messages with the bare property name; show the full path instead.
      message.startsWith(`${error.property} `)
        ? `${path}${message.slice(error.property.length)}`
        : message,
    );
    return [...own, ...flatten(error.children ?? [], path)];
  });
}

/**
 * The one global ValidationPipe: unknown fields are rejected, DTOs carry every rule, and no
 * implicit type conversion happens (a quantity sent as "5" is an error, not 5).
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const details = flatten(errors);
      return new ValidationFailedError(details[0] ?? 'Invalid request', details);
    },
  });
}
