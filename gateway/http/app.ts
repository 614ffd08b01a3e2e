/**
 * The local listener's express app: ingest, runs, admin and health. The HTTPS (hub)
 * listener is a different app in `gateway/hub/`; nothing here is mounted there.
 */
import express, { type Express, type RequestHandler, type Router } from 'express';
import { EndpointError } from '../../core/errors';
import type { GatewayContext } from '../context';
import { errorHandler, notFound } from './errors';
import { adminRouter } from './routes-admin';
import { healthRouter } from './routes-health';
import { recordsRouter } from './routes-records';
import { runsRouter } from './routes-runs';

/** Largest JSON body of the runs and admin routes. */
const JSON_LIMIT = '64kb';

/** Counts requests in flight and completed (status `progress.requestsCompleted`). */
function countRequests(context: GatewayContext): RequestHandler {
  return (_req, res, next) => {
    context.state.requestsInFlight += 1;
    let counted = false;
    const done = (): void => {
      if (counted) return;
      counted = true;
      context.state.requestsInFlight -= 1;
      context.state.requestsCompleted += 1;
    };
    res.once('finish', done);
    res.once('close', done);
    next();
  };
}

/** Answers 504 TIMEOUT when a request has not been answered within `timeoutMs`. */
function requestTimeout(timeoutMs: number): RequestHandler {
  return (_req, res, next) => {
    const timer = setTimeout(() => {
      if (res.headersSent) return;
      const error = new EndpointError('TIMEOUT', `The request took longer than ${timeoutMs} ms.`);
      res.setHeader('Connection', 'close');
      res.status(error.status).json(error.toJSON());
    }, timeoutMs);
    timer.unref();
    const clear = (): void => clearTimeout(timer);
    res.once('finish', clear);
    res.once('close', clear);
    next();
  };
}

/** Options of the local app. */
export interface LocalAppOptions {
  /** The hub's admin router (query release …), mounted behind the admin token. */
  hubAdminRouter?: Router;
}

/** Builds the local listener's app. */
export function createLocalApp(context: GatewayContext, options: LocalAppOptions = {}): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(countRequests(context));
  app.use(requestTimeout(context.config.requestTimeoutMs));
  app.use(healthRouter(context));
  app.use(['/runs', '/admin'], express.json({ limit: JSON_LIMIT }));
  app.use(recordsRouter(context));
  app.use(runsRouter(context));
  app.use(adminRouter(context, options.hubAdminRouter));
  app.use(notFound);
  app.use(errorHandler(context.logger, context.metrics, context.config.retryAfterSeconds));
  return app;
}
