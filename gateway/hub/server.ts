/**
 * The HTTPS listener for the research hub: mutual TLS (a client certificate signed by the
 * configured hub CA is required at the handshake), an optional allow-list of subject CNs (403
 * otherwise), and only the hub API mounted. The gateway calls {@link startHubListener} when
 * `tlsCert` is set and mounts `adminRouter` behind its admin token at `/admin/queries`.
 */
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import express, { type Request } from 'express';
import type { Db } from 'mongodb';
import type { Config } from '../../core/config/load';
import { requireSetting } from '../../core/config/load';
import { EndpointError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type { HubListener, HubListenerOptions, QueryEngineStatus } from '../hub-plug';

export type { HubListener };
import type { PatientChanges } from '../store/patient-changes';
import { PATIENTS_COLLECTION, type QuerySource } from './evaluate';
import { QueryJobs, type ReleaseMode } from './jobs';
import { QueryProjection } from './projection';
import { hubAdminRouter, hubRouter, jsonErrors } from './routes';

/** The certificate subject CN of a request's client ('' when none). */
export function clientSubject(req: Request): string {
  const certificate = (req.socket as TLSSocket).getPeerCertificate?.();
  const cn = certificate?.subject?.CN;
  return Array.isArray(cn) ? cn.join(',') : (cn ?? '');
}

/** The release mode of a hub identity: `subject=mode` entries of `hubReleaseModes`, else the default. */
export function releaseModeResolver(config: Config): (subject: string) => ReleaseMode {
  const modes = new Map<string, ReleaseMode>();
  for (const entry of config.hubReleaseModes) {
    const at = entry.lastIndexOf('=');
    const mode = entry.slice(at + 1).trim();
    if (at <= 0 || (mode !== 'auto' && mode !== 'hold')) {
      throw new EndpointError('CONFIG_INVALID', `ENDPOINT_HUB_RELEASE_MODES has ${JSON.stringify(entry)}, but each entry must be subject=auto or subject=hold.`);
    }
    modes.set(entry.slice(0, at).trim(), mode);
  }
  const fallback: ReleaseMode = config.hubReleaseMode === 'hold' ? 'hold' : 'auto';
  return (subject) => modes.get(subject) ?? fallback;
}

/**
 * The engine the queries run on, per `hubQueryEngine`: the store's pipelines, or the in-memory
 * projection (loaded now in the background, then following the gateway's patient writes).
 */
function querySource(config: Config, db: Db, logger: Logger, patientChanges: PatientChanges | undefined): { source: QuerySource; status(): QueryEngineStatus; stop(): void } {
  if (config.hubQueryEngine === 'store') return { source: { engine: 'store', db }, status: () => ({ engine: 'store' }), stop: () => undefined };
  const projection = new QueryProjection(db.collection(PATIENTS_COLLECTION), logger);
  const unlisten = patientChanges?.listen(projection);
  projection.start();
  return {
    source: { engine: 'memory', projection },
    status: () => ({ engine: 'memory', projection: { state: projection.state, patients: projection.size, lastLoadMs: projection.lastLoadMs ?? null } }),
    stop: () => {
      unlisten?.();
      projection.close();
    },
  };
}

/** Starts the HTTPS listener of the hub API and its job runner. */
export async function startHubListener({ config, db, logger, isDraining, patientChanges }: HubListenerOptions): Promise<HubListener> {
  const purpose = 'for the HTTPS listener of the research hub';
  const tls = {
    cert: readFileSync(requireSetting(config, 'tlsCert', purpose)),
    key: readFileSync(requireSetting(config, 'tlsKey', purpose)),
    ca: readFileSync(requireSetting(config, 'hubCa', purpose)),
  };
  const releaseModeOf = releaseModeResolver(config);
  const { source, status: engineStatus, stop: stopSource } = querySource(config, db, logger, patientChanges);
  const jobs = new QueryJobs(db, config, logger, source);
  await jobs.start();
  const allowed = new Set(config.hubAllowedSubjects);

  const app = express();
  app.disable('x-powered-by');
  app.use((req, res, next) => {
    const subject = clientSubject(req);
    if (allowed.size > 0 && !allowed.has(subject)) {
      logger.warn({ hubSubject: subject }, 'hub client certificate subject not on the allow-list');
      res.status(403).json(new EndpointError('FORBIDDEN', 'This client certificate subject is not allowed to query this clinic.').toJSON());
      return;
    }
    next();
  });
  app.use(hubRouter({ jobs, logger, isDraining, subjectOf: clientSubject, releaseModeOf, retryAfterSeconds: config.retryAfterSeconds }));
  app.use(jsonErrors(logger));

  const server = https.createServer({ ...tls, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.2' }, app);
  server.on('tlsClientError', (error) => logger.debug({ error: error.message }, 'hub TLS handshake refused'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.hubPort, config.hubHost, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  logger.info({ hubHost: address.address, hubPort: address.port }, 'hub listener started (mutual TLS)');
  return {
    address,
    runningQueries: () => jobs.runningCount(),
    queryEngine: engineStatus,
    adminRouter: hubAdminRouter(db, logger),
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await jobs.stop();
      stopSource();
      server.closeAllConnections();
      await closed;
    },
  };
}
