import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import { getMetadataStorage, ValidateBy, ValidateIf, ValidationOptions } from 'class-validator';
import { ValidationFailedError } from './errors/domain-errors';

/** The constraint @Optional() adds: a null optional field is refused with this one message. */
const NOT_NULL = 'notNull';

function flatten(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const constraints = error.constraints ?? {};
    // A null field fails every rule of its type too; only "must not be null" says what is wrong.
    const messages = constraints[NOT_NULL] ? [constraints[NOT_NULL]] : Object.values(constraints);
    const own = messages.map((message) =>
      // class-validator prefixes messages with the bare property name; show the full path instead.
      message.startsWith(`${error.property} `)
        ? `${path}${message.slice(error.property.length)}`
        : message,
    );
    return [...own, ...flatten(error.children ?? [], path)];
  });
}

/**
 * An optional field: absent is fine, `null` is not (it fails the field's other rules). Used
 * instead of class-validator's @IsOptional, which lets `null` through as if it were absent.
 */
export function Optional(): PropertyDecorator {
  const whenPresent = ValidateIf((_object, value) => value !== undefined);
  const notNull = ValidateBy({
    name: NOT_NULL,
    validator: {
      validate: (value) => value !== null,
      defaultMessage: (args) => `${args?.property} must not be null (leave it out instead)`,
    },
  });
  return (target, property) => {
    whenPresent(target, property);
    notNull(target, property);
  };
}

/** Control characters (C0, DEL, C1) and lone UTF-16 surrogates (unpaired halves). */
const UNPRINTABLE = /[\p{Cc}\p{Cs}]/u;

/** True for a string with no control characters and no lone surrogates. */
export function isPrintableText(value: unknown): boolean {
  return typeof value === 'string' && !UNPRINTABLE.test(value);
}

/** A string of printable text: no control characters (newlines and tabs included), no lone surrogates. */
export function IsPrintableText(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isPrintableText',
      validator: {
        validate: isPrintableText,
        defaultMessage: (args) =>
          `${args?.property} must not contain control characters or unpaired surrogates`,
      },
    },
    options,
  );
}

type Constructor = new (...args: never[]) => unknown;

/**
 * Names no key may have, at any depth: Object.prototype's members and `prototype`. Nest's pipe
 * deletes some of them (`constructor`, `prototype`) and class-transformer skips the rest, so a
 * key with such a name would otherwise vanish silently, from a body or from a free-form map
 * such as a variant's attributes.
 */
const RESERVED_KEYS = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

/** Paths of keys with a reserved name anywhere in a parsed body (depth is bounded by the parser). */
export function reservedKeys(value: unknown, path = ''): string[] {
  if (typeof value !== 'object' || value === null) return [];
  const found: string[] = [];
  for (const key of Object.keys(value)) {
    const keyPath = path ? `${path}.${key}` : key;
    if (RESERVED_KEYS.has(key)) found.push(keyPath);
    found.push(...reservedKeys((value as Record<string, unknown>)[key], keyPath));
  }
  return found;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Property names a DTO declares rules for, read from class-validator once per class. */
const declaredByDto = new WeakMap<Constructor, Set<string>>();

function declaredProperties(dto: Constructor): Set<string> {
  let declared = declaredByDto.get(dto);
  if (!declared) {
    declared = new Set(
      getMetadataStorage()
        .getTargetValidationMetadatas(dto, '', true, false)
        .map((metadata) => metadata.propertyName),
    );
    declaredByDto.set(dto, declared);
  }
  return declared;
}

/**
 * Keys of `value` that `dto` does not declare, with their paths, following nested DTOs (@Type).
 *
 * Checked on the plain input before class-transformer runs: class-transformer skips keys that
 * name a function of the new instance (`constructor`, `toString`, `valueOf`,
 * `hasOwnProperty`, …), so whitelist validation after it never sees them.
 */
export function unknownKeys(value: Record<string, unknown>, dto: Constructor, path = ''): string[] {
  const declared = declaredProperties(dto);
  const found: string[] = [];
  for (const key of Object.keys(value)) {
    const keyPath = path ? `${path}.${key}` : key;
    if (!declared.has(key)) {
      found.push(keyPath);
      continue;
    }
    const nested = defaultMetadataStorage.findTypeMetadata(dto, key)?.typeFunction() as
      Constructor | undefined;
    if (!nested) continue;
    const item = value[key];
    const items = Array.isArray(item) ? item : [item];
    items.forEach((element, index) => {
      if (!isObject(element)) return;
      const elementPath = Array.isArray(item) ? `${keyPath}.${index}` : keyPath;
      found.push(...unknownKeys(element, nested, elementPath));
    });
  }
  return found;
}

/**
 * The one global ValidationPipe: unknown fields are rejected (checked before transformation, see
 * `unknownKeys`), DTOs carry every rule, and no implicit type conversion happens (a quantity sent
 * as "5" is an error, not 5).
 */
class StrictValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const dto = metadata.metatype as Constructor | undefined;
    // Only DTO classes: a built-in type (Object, String, …) declares no rules and is not checked.
    const isDto = dto !== undefined && declaredProperties(dto).size > 0;
    if ((metadata.type === 'body' || metadata.type === 'query') && isDto && isObject(value)) {
      const reserved = reservedKeys(value).filter((path) => path.includes('.'));
      if (reserved.length > 0) {
        const details = reserved.map((path) => `${path} is a reserved name`);
        throw new ValidationFailedError(details[0], details);
      }
      const unknown = unknownKeys(value, dto!);
      if (unknown.length > 0) {
        const details = unknown.map((key) => `property ${key} should not exist`);
        throw new ValidationFailedError(details[0], details);
      }
    }
    return super.transform(value, metadata);
  }
}

export function createValidationPipe(): ValidationPipe {
  return new StrictValidationPipe({
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
