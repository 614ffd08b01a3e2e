/**
 * The one module of coded errors. Every error the software raises on purpose is an
 * {@link EndpointError}: a stable `code`, an HTTP `status`, and a message meant for people
 * (never carrying patient data). The express error handler and the CLIs print `code` and
 * `message`; anything else is an internal error whose details stay in the log.
 */

/** Stable error codes, with the HTTP status each one answers with. */
export const ERROR_CODES = {
  CONFIG_INVALID: 500,
  SERVICE_UNAVAILABLE: 503,
  DEPENDENCY_MISSING: 500,
  USAGE: 400,
  NOT_XML: 400,
  NOT_E2E: 400,
  XML_TOO_DEEP: 400,
  HOSTILE_XML: 400,
  NO_PATIENT_KEY: 422,
  BODY_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  /** An export run cut by a wipe of all records: its documents no longer describe the store. */
  RUN_CUT: 409,
  /** The hub's query queue is full (every hub together). */
  QUERY_QUEUE_FULL: 429,
  /** One hub identity has used its share: too many queries outstanding or in the last hour. */
  QUERY_QUOTA_EXCEEDED: 429,
  INVALID_QUERY: 400,
  INVALID_REQUEST: 400,
  STORE_UNAVAILABLE: 503,
  DRAINING: 503,
  TIMEOUT: 504,
  WRITABLE_ACCOUNT: 500,
  LOCKED: 409,
  INTERNAL: 500,
} as const;

/** One of the stable error codes. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** Options of an {@link EndpointError}. */
export interface EndpointErrorOptions {
  /** The underlying error, kept for the log (never sent to a client). */
  cause?: unknown;
  /** Seconds a client should wait before retrying (sent as `Retry-After`). */
  retryAfterSeconds?: number;
  /** Extra machine-readable fields safe to show the caller (no patient data). */
  details?: Record<string, unknown>;
}

/** An error with a stable code and the HTTP status it maps to. */
export class EndpointError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly retryAfterSeconds?: number;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: EndpointErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EndpointError';
    this.code = code;
    this.status = ERROR_CODES[code];
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.details = options.details;
  }

  /** The JSON body an HTTP answer carries for this error. */
  toJSON(): { error: ErrorCode; message: string } & Record<string, unknown> {
    return { error: this.code, message: this.message, ...(this.details ?? {}) };
  }
}

/** True when `value` is an {@link EndpointError}, optionally with the given code. */
export function isEndpointError(value: unknown, code?: ErrorCode): value is EndpointError {
  return value instanceof EndpointError && (code === undefined || value.code === code);
}

/** A short description of any thrown value, for logs (no stack, no patient data by construction). */
export function describeError(value: unknown): string {
  if (value instanceof Error) return value.message;
  return String(value);
}
