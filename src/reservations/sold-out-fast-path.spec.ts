import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { RouteOptions } from 'fastify';
import { describe, expect, it } from 'vitest';
import { AppConfig } from '../config/app-config';
import { installSoldOutFastPath } from './sold-out-fast-path';
import { SOLD_OUT_FAST_PATH } from './sold-out-fast-path.route';

/** Just enough of a Nest app for the installer: config, providers, and Fastify's onRoute hook. */
function installOnFakeApp(): (route: Partial<RouteOptions>) => void {
  let onRoute: ((route: RouteOptions) => void) | undefined;
  const config = Object.assign(new AppConfig(), {
    soldOutFastPath: true,
    maxQuantityPerReservation: 10,
  });
  const app = {
    get: (token: unknown) => (token === AppConfig ? config : {}),
    getHttpAdapter: () => ({
      getInstance: () => ({
        addHook: (_name: string, hook: (route: RouteOptions) => void) => (onRoute = hook),
      }),
    }),
  } as unknown as NestFastifyApplication;
  installSoldOutFastPath(app);
  return (route) => onRoute!(route as RouteOptions);
}

describe('installSoldOutFastPath', () => {
  it('sits in front of the one flagged route, and refuses a second (it admits as the reserve route)', () => {
    const register = installOnFakeApp();
    const reserve = {
      method: 'POST',
      url: '/v1/reservations',
      config: { [SOLD_OUT_FAST_PATH]: true },
    };
    register(reserve);
    expect(reserve).toHaveProperty('preHandler');
    register({ method: 'GET', url: '/v1/reservations', config: {} });
    expect(() =>
      register({ method: 'POST', url: '/v1/other', config: { [SOLD_OUT_FAST_PATH]: true } }),
    ).toThrow('set on POST /v1/reservations and POST /v1/other');
  });
});
