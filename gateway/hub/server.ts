/**
 * The HTTPS listener for the research hub: mutual TLS (a client certificate signed by the
 * configured hub CA is required at the handshake) on TLS 1.2 with AEAD suites only or TLS 1.3,
 * no renegotiation, a connection cap and short handshake, header and idle timeouts (so sockets
 * that never authenticate are closed), an optional allow-list of subject CNs (403 otherwise), and
 * only the hub API mounted. The gateway calls {@link startHubListener} when `tlsCert` is set and
 * mounts `adminRouter` behind its admin token at `/admin/queries`. Certificates that have expired
 * or expire soon are logged when it starts (`check gateway` rates them too).
 */
import { constants as cryptoConstants } from 'node:crypto';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import express, { type Request } from 'express';
import type { Db } from 'mongodb';
import type { Config } from '../../core/config/load';
import { requireSetting } from '../../core/config/load';
import { certificateValidity, describeExpiry } from '../../core/certificates';
import { describeError, EndpointError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type { HubListener, HubListenerOptions, QueryEngineStatus } from '../hub-plug';

export type { HubListener };
import type { PatientChanges } from '../store/patient-changes';
import { PATIENTS_COLLECTION, type QuerySource } from './evaluate';
import { QueryJobs, type ReleaseMode } from './jobs';
import { QueryProjection } from './projection';
import { hubAdminRouter, hubRouter, jsonErrors } from './routes';

/**
 * The suites the listener offers: TLS 1.3's (all AEAD) and, for TLS 1.2, only ECDHE with AES-GCM
 * or ChaCha20-Poly1305 — no CBC (Lucky13-style padding oracles), no static RSA key exchange.
 */
export const HUB_CIPHERS = [
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'TLS_AES_128_GCM_SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
].join(':');

/** Logs the server and hub CA certificates' expiry: an error once expired, a warning within the check's warning days. */
export function logCertificateExpiry(config: Config, logger: Logger, now = Date.now()): void {
  for (const setting of ['tlsCert', 'hubCa'] as const) {
    const file = config[setting];
    if (file === undefined) continue;
    try {
      const validity = certificateValidity(setting, file, now);
      if (validity.daysLeft < 0)
        logger.error({ file }, `${describeExpiry(validity)}: the hub cannot connect; renew it (deploy/tls.sh renew)`);
      else if (validity.daysLeft < config.checkCertWarningDays)
        logger.warn({ file }, `${describeExpiry(validity)}; renew it (deploy/tls.sh renew)`);
    } catch (error) {
      logger.warn({ file, error: describeError(error) }, 'a certificate of the hub listener could not be checked');
    }
  }
}

/** The HTTPS server's TLS and socket options from the settings. */
function serverOptions(config: Config, tls: { cert: Buffer; key: Buffer; ca: Buffer }): https.ServerOptions {
  const idle = config.hubIdleTimeoutMs;
  return {
    ...tls,
    requestCert: true,
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2',
    ciphers: HUB_CIPHERS,
    honorCipherOrder: true,
    // No renegotiation at all (TLS 1.3 has none): a client cannot make the server redo handshakes.
    secureOptions: cryptoConstants.SSL_OP_NO_RENEGOTIATION,
    handshakeTimeout: idle,
    headersTimeout: idle,
    requestTimeout: idle * 3,
    keepAliveTimeout: Math.min(idle, 5000),
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(idle / 2))),
  };
}

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
      throw new EndpointError(
        'CONFIG_INVALID',
        `ENDPOINT_HUB_RELEASE_MODES has ${JSON.stringify(entry)}, but each entry must be subject=auto or subject=hold.`,
      );
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
function querySource(
  config: Config,
  db: Db,
  logger: Logger,
  patientChanges: PatientChanges | undefined,
): { source: QuerySource; status(): QueryEngineStatus; stop(): void } {
  if (config.hubQueryEngine === 'store')
    return { source: { engine: 'store', db }, status: () => ({ engine: 'store' }), stop: () => undefined };
  const projection = new QueryProjection(db.collection(PATIENTS_COLLECTION), logger);
  const unlisten = patientChanges?.listen(projection);
  projection.start();
  return {
    source: { engine: 'memory', projection },
    status: () => ({
      engine: 'memory',
      projection: { state: projection.state, patients: projection.size, lastLoadMs: projection.lastLoadMs ?? null },
    }),
    stop: () => {
      unlisten?.();
      projection.close();
    },
  };
}

/** Starts the HTTPS listener of the hub API and its job runner. */
export async function startHubListener({
  config,
  db,
  logger,
  isDraining,
  patientChanges,
}: HubListenerOptions): Promise<HubListener> {
  const purpose = 'for the HTTPS listener of the research hub';
  const tls = {
    cert: readFileSync(requireSetting(config, 'tlsCert', purpose)),
    key: readFileSync(requireSetting(config, 'tlsKey', purpose)),
    ca: readFileSync(requireSetting(config, 'hubCa', purpose)),
  };
  logCertificateExpiry(config, logger);
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
      res
        .status(403)
        .json(
          new EndpointError(
            'FORBIDDEN',
            'This client certificate subject is not allowed to query this clinic.',
          ).toJSON(),
        );
      return;
    }
    next();
  });
  app.use(
    hubRouter({
      jobs,
      logger,
      isDraining,
      subjectOf: clientSubject,
      releaseModeOf,
      retryAfterSeconds: config.retryAfterSeconds,
    }),
  );
  app.use(jsonErrors(logger));

  const server = https.createServer(serverOptions(config, tls), app);
  // A socket idle this long after its handshake (no request, or between requests) is closed.
  server.timeout = config.hubIdleTimeoutMs;
  server.maxConnections = config.hubMaxConnections;
  server.on('tlsClientError', (error) => logger.debug({ error: error.message }, 'hub TLS handshake refused'));
  server.on('drop', () =>
    logger.debug({ maxConnections: config.hubMaxConnections }, 'hub connection refused: too many open'),
  );
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
    queuedQueries: () => jobs.queuedCount(),
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
