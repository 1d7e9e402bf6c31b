import { Injectable } from '@nestjs/common';
import { createVerifier, TokenError } from 'fast-jwt';
import { AppConfig } from '../../config/app-config';
import { Clock } from '../clock';
import { UnauthorizedError } from '../errors/domain-errors';
import type { Principal } from './principal';

const MAX_USER_ID_LENGTH = 128;

/**
 * Verifies bearer tokens: HS256 with JWT_SECRET or RS256 with JWT_PUBLIC_KEY, `exp` and `sub`
 * required, no other algorithm accepted (so `alg: none` and algorithm-confusion tokens fail).
 * During a key rotation two keys are listed and a token signed with either is accepted; this
 * service signs nothing (docs/production.md, secret rotation).
 *
 * fast-jwt rather than jsonwebtoken: an HS256 verify costs ~7.5 µs against ~330 µs, and at
 * flash-sale rates the verifier was the bottleneck. No verify cache: fast-jwt's (keyed by a hash
 * of the token, or by the token itself) showed no gain in the benchmark's A/B, on retrying
 * shoppers or on fresh ones (docs/benchmarks.md), so it was removed.
 */
@Injectable()
export class TokenVerifier {
  /** One verifier per accepted key, the newest first (two during a key rotation). */
  private readonly verifiers: ((token: string) => Record<string, unknown>)[];
  private readonly clockSkewSeconds: number;
  private readonly maxLifetimeSeconds: number;

  constructor(
    config: AppConfig,
    private readonly clock: Clock,
  ) {
    this.clockSkewSeconds = config.jwtClockSkewSeconds;
    this.maxLifetimeSeconds = config.jwtMaxLifetimeSeconds;
    const rs256 = config.jwtPublicKeys.length > 0;
    const keys = rs256 ? config.jwtPublicKeys : config.jwtSecrets;
    this.verifiers = keys.map(
      (key) =>
        createVerifier({
          key,
          algorithms: rs256 ? ['RS256'] : ['HS256'],
          requiredClaims: ['exp', 'sub'],
        }) as (token: string) => Record<string, unknown>,
    );
  }

  /**
   * The claims of a token signed with any accepted key. Only a bad signature moves on to the next
   * key; any other fault (expired, malformed, wrong algorithm) is the same under every key.
   */
  private verify(token: string): Record<string, unknown> {
    for (let index = 0; ; index += 1) {
      try {
        return this.verifiers[index](token);
      } catch (error) {
        const lastKey = index === this.verifiers.length - 1;
        const badSignature =
          error instanceof TokenError && error.code === TokenError.codes.invalidSignature;
        if (lastKey || !badSignature) throw error;
      }
    }
  }

  /** Returns the principal of a valid `Authorization: Bearer …` header, else throws UnauthorizedError. */
  principalFromHeader(header: string | undefined): Principal {
    if (!header) throw new UnauthorizedError('Missing Authorization: Bearer token');
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new UnauthorizedError('Authorization header must be "Bearer <token>"');
    let claims: Record<string, unknown>;
    try {
      claims = this.verify(match[1]);
    } catch (error) {
      throw new UnauthorizedError(describeTokenError(error));
    }
    this.checkTimes(claims);
    const sub = claims.sub;
    if (typeof sub !== 'string' || sub.trim().length === 0 || sub.length > MAX_USER_ID_LENGTH) {
      throw new UnauthorizedError(
        `Token sub must be a non-blank string of at most ${MAX_USER_ID_LENGTH} characters`,
      );
    }
    const roles = claims.roles;
    return { userId: sub, isAdmin: Array.isArray(roles) && roles.includes('admin') };
  }

  /**
   * What fast-jwt leaves open: a token issued in the future (beyond JWT_CLOCK_SKEW_SECONDS) and
   * one that expires further ahead than JWT_MAX_LIFETIME_SECONDS (a leaked token with
   * `exp: 1e308` would otherwise never die). fast-jwt has already checked `exp` is in the future.
   */
  private checkTimes(claims: Record<string, unknown>): void {
    const nowSeconds = this.clock.now().getTime() / 1000;
    const { iat, exp } = claims;
    if (iat !== undefined) {
      if (typeof iat !== 'number' || !Number.isFinite(iat)) {
        throw new UnauthorizedError('Token iat must be a number of seconds');
      }
      if (iat > nowSeconds + this.clockSkewSeconds) {
        throw new UnauthorizedError('Token was issued in the future');
      }
    }
    if (typeof exp !== 'number' || !Number.isFinite(exp)) {
      throw new UnauthorizedError('Token exp must be a number of seconds');
    }
    if (exp > nowSeconds + this.maxLifetimeSeconds + this.clockSkewSeconds) {
      throw new UnauthorizedError(
        `Token expires too far ahead (at most ${this.maxLifetimeSeconds} s from now)`,
      );
    }
  }
}

function describeTokenError(error: unknown): string {
  if (error instanceof TokenError) {
    switch (error.code) {
      case TokenError.codes.expired:
        return 'Token has expired';
      case TokenError.codes.invalidSignature:
        return 'Token signature is invalid';
      case TokenError.codes.invalidAlgorithm:
        return 'Token algorithm is not accepted';
      case TokenError.codes.missingRequiredClaim:
        return 'Token is missing a required claim (exp and sub are required)';
      case TokenError.codes.inactive:
        return 'Token is not active yet';
      default:
        return 'Token is malformed or invalid';
    }
  }
  return 'Token is malformed or invalid';
}
