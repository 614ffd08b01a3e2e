/**
 * The one logger factory. pino, with a redaction list covering every field name that can
 * carry patient identity or note text, so a careless `log.info({ patient })` still leaks
 * nothing. Code should log keys (demographicNo, run id) and counts, never record content.
 */
import pino, { type DestinationStream, type Logger } from 'pino';

/** Field names (at any of the first levels of a log object) that are always censored. */
export const PHI_FIELDS = [
  'name', 'names', 'givenName', 'givenNames', 'familyName', 'firstName', 'lastName', 'first_name', 'last_name',
  'hin', 'healthNumber', 'phn', 'ver',
  'address', 'addresses', 'street', 'postal', 'postalCode',
  'phone', 'phones', 'phone2', 'telecom', 'email',
  'note', 'notes', 'noteText', 'text', 'narrative', 'comments', 'xml', 'body', 'document',
  'birthDate', 'dateOfBirth', 'year_of_birth', 'month_of_birth', 'date_of_birth',
  'authorization', 'token', 'ingestToken', 'adminToken', 'hmacSecret', 'password',
] as const;

/** pino `redact` paths: each PHI field at the top level and up to two levels down. */
export const REDACT_PATHS: string[] = PHI_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`]).concat([
  'req.headers.authorization',
  'req.headers.cookie',
]);

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  level?: string;
  /** Where lines go (default stdout); tests pass a stream to read the lines back. */
  destination?: DestinationStream;
  /** Fields put on every line, e.g. `{ part: 'gateway' }`. */
  base?: Record<string, unknown>;
}

/** Creates the endpoint's logger. */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? process.env.ENDPOINT_LOG_LEVEL ?? 'info',
      base: { pid: process.pid, ...(options.base ?? {}) },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination,
  );
}

export type { Logger } from 'pino';
