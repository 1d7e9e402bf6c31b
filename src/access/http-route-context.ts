import type { ExecutionContext, Type } from '@nestjs/common';
import type { HttpArgumentsHost } from '@nestjs/common/interfaces';

/**
 * The ExecutionContext Nest would give a guard for one HTTP request to a known controller method,
 * for code that admits requests before Nest runs (the sold-out fast path calls AccessGuard with
 * it). Only the HTTP view exists.
 */
export class HttpRouteContext implements ExecutionContext, HttpArgumentsHost {
  constructor(
    private readonly request: unknown,
    private readonly reply: unknown,
    private readonly controller: Type,
    // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
    private readonly handler: Function,
  ) {}

  getType<TContext extends string = 'http'>(): TContext {
    return 'http' as TContext;
  }
  getClass<T>(): Type<T> {
    return this.controller as Type<T>;
  }
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  getHandler(): Function {
    return this.handler;
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- ExecutionContext's own signature
  getArgs<T extends Array<any> = any[]>(): T {
    return [this.request, this.reply] as T;
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- ExecutionContext's own signature
  getArgByIndex<T = any>(index: number): T {
    return this.getArgs()[index] as T;
  }
  switchToHttp(): HttpArgumentsHost {
    return this;
  }
  switchToRpc(): never {
    throw new Error('HttpRouteContext is HTTP only');
  }
  switchToWs(): never {
    throw new Error('HttpRouteContext is HTTP only');
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- HttpArgumentsHost's own signature
  getRequest<T = any>(): T {
    return this.request as T;
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- HttpArgumentsHost's own signature
  getResponse<T = any>(): T {
    return this.reply as T;
  }
  getNext<T>(): T {
    return undefined as T;
  }
}
