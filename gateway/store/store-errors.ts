/**
 * Maps driver errors to the endpoint's coded errors: anything that means "the MongoDB server
 * cannot be reached right now" becomes STORE_UNAVAILABLE (503 with Retry-After), so the
 * exporter retries instead of giving up.
 */
import { MongoError, MongoNetworkError, MongoServerSelectionError } from 'mongodb';
import { EndpointError, isEndpointError } from '../../core/errors';

/** Driver error names that mean the server is unreachable (not a bad request). */
const UNAVAILABLE_ERROR_NAMES = new Set([
  'MongoServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
  'MongoServerClosedError',
  'MongoExpiredSessionError',
]);

/** Socket error codes (raised by the driver's socket itself) that mean the server went away. */
const NETWORK_ERRNO_CODES = new Set(['EPIPE', 'ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ERR_STREAM_DESTROYED', 'ERR_STREAM_WRITE_AFTER_END']);

/** Seconds a client is told to wait when the store is down (overridable per call). */
export const DEFAULT_RETRY_AFTER_SECONDS = 5;

/** True when the error says the store cannot be reached (as opposed to a rejected operation). */
export function isStoreUnavailable(error: unknown): boolean {
  if (isEndpointError(error, 'STORE_UNAVAILABLE')) return true;
  if (error instanceof MongoNetworkError || error instanceof MongoServerSelectionError) return true;
  // Duck-typed: socket errors may come from another realm (e.g. under jest), failing instanceof.
  if (typeof error !== 'object' || error === null) return false;
  const { name, code } = error as { name?: unknown; code?: unknown };
  return (typeof name === 'string' && UNAVAILABLE_ERROR_NAMES.has(name)) || (typeof code === 'string' && NETWORK_ERRNO_CODES.has(code));
}

/** True for a duplicate-key error (two upserts of a new `_id` raced). */
export function isDuplicateKey(error: unknown): boolean {
  return (error instanceof MongoError || typeof error === 'object') && (error as { code?: unknown } | null)?.code === 11000;
}

/**
 * Returns the error to throw for a store failure: STORE_UNAVAILABLE when the server cannot be
 * reached, otherwise the error unchanged (the error handler turns it into a 500).
 */
export function toStoreError(error: unknown, retryAfterSeconds = DEFAULT_RETRY_AFTER_SECONDS): unknown {
  if (isEndpointError(error)) return error;
  if (isStoreUnavailable(error)) {
    return new EndpointError('STORE_UNAVAILABLE', 'The patient store cannot be reached; try again later.', { cause: error, retryAfterSeconds });
  }
  return error;
}

/** Runs a store operation, translating unavailability into STORE_UNAVAILABLE. */
export async function withStore<T>(operation: () => Promise<T>, retryAfterSeconds = DEFAULT_RETRY_AFTER_SECONDS): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw toStoreError(error, retryAfterSeconds);
  }
}
