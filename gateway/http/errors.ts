/**
 * The one express error handler of the local listener: every failure answers JSON
 * `{error, message}` with the code's status (and `Retry-After` for 503); internal errors are
 * logged with their details and answered with a generic message.
 */
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { EndpointError, describeError, isEndpointError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type { GatewayMetrics } from '../metrics';
import { toStoreError } from '../store/store-errors';

/** Body-parser error types and the codes they become. */
const PARSER_ERRORS: Record<string, () => EndpointError> = {
  'entity.too.large': () => new EndpointError('BODY_TOO_LARGE', 'The request body is too large.'),
  'entity.parse.failed': () => new EndpointError('INVALID_REQUEST', 'The request body is not valid JSON.'),
  'encoding.unsupported': () =>
    new EndpointError('UNSUPPORTED_MEDIA_TYPE', 'The request body encoding is not supported.'),
  'charset.unsupported': () =>
    new EndpointError('UNSUPPORTED_MEDIA_TYPE', 'The request body charset is not supported.'),
};

/** Turns anything thrown into an EndpointError (INTERNAL when it is not one of ours). */
export function toEndpointError(error: unknown, retryAfterSeconds: number): EndpointError {
  const mapped = toStoreError(error, retryAfterSeconds);
  if (isEndpointError(mapped)) return mapped;
  const parserType = (error as { type?: unknown } | null)?.type;
  if (typeof parserType === 'string' && PARSER_ERRORS[parserType]) return PARSER_ERRORS[parserType]();
  return new EndpointError('INTERNAL', 'The gateway failed to handle the request; the details are in its log.', {
    cause: error,
  });
}

/** Longest the rest of a refused upload is read (and dropped) before the answer goes out anyway. */
const DRAIN_MS = 2000;

/**
 * Calls `answer` once the client has sent the rest of a body that was refused before it was read
 * to the end (413, 415, 401 …), reading and dropping it, or after {@link DRAIN_MS} with the
 * connection closed. Answering at once and closing would make the server's kernel reset the
 * connection while the client is still sending, and the client would often never see the answer.
 */
function afterBodyDrained(req: Request, res: Response, answer: () => void): void {
  if (req.complete || req.readableEnded) return answer();
  let answered = false;
  const once = (): void => {
    if (answered) return;
    answered = true;
    clearTimeout(timer);
    answer();
  };
  const timer = setTimeout(() => {
    res.setHeader('Connection', 'close');
    once();
  }, DRAIN_MS);
  req.once('end', once);
  req.once('close', once);
  req.resume();
}

/** Most characters of a caller's path an answer repeats (a 404 must not echo kilobytes of input back). */
export const ECHOED_PATH_CHARS = 80;

/** The start of a caller-supplied text, for messages: at most {@link ECHOED_PATH_CHARS} characters, marked when cut. */
export function echoed(text: string): string {
  return text.length <= ECHOED_PATH_CHARS ? text : `${text.slice(0, ECHOED_PATH_CHARS)}…`;
}

/** The 404 for routes that do not exist. */
export const notFound: RequestHandler = (req, _res, next) => {
  next(new EndpointError('NOT_FOUND', `No route ${req.method.slice(0, 16)} ${echoed(req.path)} on this listener.`));
};

/** The error handler. */
export function errorHandler(logger: Logger, metrics: GatewayMetrics, retryAfterSeconds: number): ErrorRequestHandler {
  return (thrown: unknown, req, res, _next) => {
    const error = toEndpointError(thrown, retryAfterSeconds);
    metrics.errors.inc(error.code);
    const line = { code: error.code, status: error.status, method: req.method, path: echoed(req.path) };
    if (error.code === 'INTERNAL') {
      const errorName = (thrown as { name?: unknown } | null)?.name;
      logger.error(
        { ...line, cause: describeError(thrown), errorName, errno: (thrown as NodeJS.ErrnoException | null)?.code },
        'request failed',
      );
    } else if (error.status >= 500)
      logger.warn({ ...line, cause: describeError(error.cause ?? error) }, 'request refused');
    else logger.info(line, 'request rejected');
    if (res.headersSent) {
      req.socket.destroy();
      return;
    }
    if (error.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(error.retryAfterSeconds));
    afterBodyDrained(req, res, () => {
      // The request timeout may have answered while the body was drained.
      if (!res.headersSent) res.status(error.status).json(error.toJSON());
    });
  };
}
