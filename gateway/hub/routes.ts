/**
 * The hub API's express routes (mounted only on the HTTPS listener) and the admin routes the
 * gateway mounts on its local listener behind the admin token (`/admin/queries`).
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Db } from 'mongodb';
import { EndpointError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import { DEFINITION_LIMITS, parseQueryRequest, type QueryDefinition } from './definition';
import { findIndicator, indicatorDefinition, INDICATORS } from './indicators';
import { listQueries, releaseHeldQuery, type QueryJob, type QueryJobs, type QueryStatus, type ReleaseMode } from './jobs';
import { HUB_OPENAPI } from './openapi';

/** What the hub routes need from the listener. */
export interface HubRouteContext {
  jobs: QueryJobs;
  logger: Logger;
  isDraining: () => boolean;
  /** The certificate subject CN of the request's client. */
  subjectOf: (req: Request) => string;
  releaseModeOf: (subject: string) => ReleaseMode;
  retryAfterSeconds: number;
}

/** The public view of a job (the hub's `GET /queries/:id`). */
export function jobView(job: QueryJob): Record<string, unknown> {
  const queuedMs = job.startedAt ? job.startedAt.getTime() - job.submittedAt.getTime() : undefined;
  return {
    id: job._id,
    status: job.status,
    ...(job.indicator === undefined ? {} : { indicator: job.indicator }),
    definitionHash: job.definitionHash,
    referenceDate: job.referenceDate,
    submittedAt: job.submittedAt,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
    queuedMs,
    durationMs: job.durationMs,
    releasedAt: job.releasedAt,
    expiresAt: job.expiresAt,
    ...(job.error ? { error: job.error } : {}),
    ...(job.status === 'complete' ? { result: `/queries/${job._id}/result` } : {}),
  };
}

function resultView(job: QueryJob): Record<string, unknown> {
  const result = job.result;
  return {
    id: job._id,
    referenceDate: job.referenceDate,
    breakdown: job.definition.breakdown ?? [],
    minCellSize: result?.minCellSize,
    suppressionApplied: result?.suppressionApplied,
    cells: result?.cells ?? [],
    total: result?.total,
  };
}

async function ownJob(context: HubRouteContext, req: Request): Promise<QueryJob> {
  const id = String(req.params.id);
  const job = /^[0-9a-f-]{36}$/.test(id) ? await context.jobs.get(id) : undefined;
  if (!job || job.hubSubject !== context.subjectOf(req)) throw new EndpointError('NOT_FOUND', `No query ${id.slice(0, 40)} of this hub.`);
  return job;
}

/** Turns errors into `{error, message}` JSON answers (body-parser errors included). */
export function jsonErrors(logger: Logger) {
  return (error: unknown, _req: Request, res: Response, _next: NextFunction): void => {
    let endpointError: EndpointError;
    const type = (error as { type?: unknown }).type;
    if (error instanceof EndpointError) endpointError = error;
    else if (type === 'entity.too.large') endpointError = new EndpointError('BODY_TOO_LARGE', `The body is larger than ${DEFINITION_LIMITS.maxBodyBytes} bytes.`);
    else if (type === 'entity.parse.failed') endpointError = new EndpointError('INVALID_QUERY', 'body is not valid JSON', { details: { field: 'body' } });
    else {
      logger.error({ error: error instanceof Error ? error.message : String(error) }, 'hub request failed');
      endpointError = new EndpointError('INTERNAL', 'Internal error; the gateway log has the details.');
    }
    if (endpointError.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(endpointError.retryAfterSeconds));
    res.status(endpointError.status).json(endpointError.toJSON());
  };
}

/** The hub API router. */
export function hubRouter(context: HubRouteContext): Router {
  const router = express.Router();
  router.get('/openapi.json', (_req, res) => void res.json(HUB_OPENAPI));
  router.get('/indicators', (_req, res) => {
    res.json({ indicators: INDICATORS.map(({ name, title, notes, definition }) => ({ name, title, ...(notes ? { notes } : {}), definition })) });
  });
  router.post('/queries', express.json({ limit: DEFINITION_LIMITS.maxBodyBytes, strict: false }), async (req, res) => {
    if (context.isDraining()) {
      throw new EndpointError('DRAINING', 'The gateway is draining (an update is under way); submit the query again later.', { retryAfterSeconds: context.retryAfterSeconds });
    }
    if (!req.is('application/json')) throw new EndpointError('UNSUPPORTED_MEDIA_TYPE', 'Send the query as application/json.');
    const request = parseQueryRequest(req.body);
    let definition: QueryDefinition;
    let indicator: string | undefined;
    if ('indicator' in request) {
      const found = findIndicator(request.indicator);
      if (!found) throw new EndpointError('INVALID_QUERY', `indicator ${JSON.stringify(request.indicator)} is not in the library (GET /indicators)`, { details: { field: 'indicator' } });
      definition = indicatorDefinition(found, request);
      indicator = found.name;
    } else {
      definition = request;
    }
    const subject = context.subjectOf(req);
    const job = await context.jobs.submit({ definition, indicator, hubSubject: subject, releaseMode: context.releaseModeOf(subject) });
    res.status(202).location(`/queries/${job._id}`).json(jobView(job));
  });
  router.get('/queries/:id', async (req, res) => void res.json(jobView(await ownJob(context, req))));
  router.get('/queries/:id/result', async (req, res) => {
    const job = await ownJob(context, req);
    if (job.status !== 'complete') {
      const why = job.status === 'held' ? 'is held until the clinic releases it' : `is ${job.status}`;
      throw new EndpointError('CONFLICT', `Query ${job._id} ${why}; no result to give.`, { details: { status: job.status } });
    }
    res.json(resultView(job));
  });
  router.delete('/queries/:id', async (req, res) => {
    const job = await ownJob(context, req);
    const after = (await context.jobs.cancel(job._id)) ?? job;
    res.json(jobView(after));
  });
  router.use((req, _res) => {
    throw new EndpointError('NOT_FOUND', `No ${req.method} ${req.path.slice(0, 80)} on the hub listener.`);
  });
  return router;
}

/** The admin routes the gateway mounts at `/admin/queries` behind its admin token. */
export function hubAdminRouter(db: Db, logger: Logger): Router {
  const router = express.Router();
  router.get('/', async (req, res) => {
    const status = typeof req.query.status === 'string' ? (req.query.status as QueryStatus) : undefined;
    const jobs = await listQueries(db, { status });
    res.json({ queries: jobs.map((job) => ({ ...jobView(job as QueryJob), hubSubject: job.hubSubject, definition: job.definition })) });
  });
  router.post('/:id/release', async (req, res) => {
    const job = await releaseHeldQuery(db, String(req.params.id), logger);
    res.json(jobView(job));
  });
  return router;
}
