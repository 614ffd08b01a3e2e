/**
 * Bearer-token checks of the local listener: the ingest token for `POST /records` and the
 * runs, the admin token for everything administrative. Compared in constant time (both
 * sides hashed to the same length first, so the length of the token leaks nothing either).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { EndpointError } from '../../core/errors';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** True when `presented` equals `expected`, in time independent of where they differ. */
export function tokensMatch(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

/** The token of an `Authorization: Bearer …` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/** Middleware that lets a request through only with the given bearer token (401 otherwise). */
export function requireToken(expected: string, what: 'ingest' | 'admin'): RequestHandler {
  return (req, _res, next) => {
    const presented = bearerToken(req.headers.authorization);
    if (presented !== undefined && tokensMatch(presented, expected)) return next();
    const message = presented === undefined ? `This route needs the ${what} token: Authorization: Bearer <token>.` : `The ${what} token is not valid.`;
    next(new EndpointError('UNAUTHORIZED', message));
  };
}
