/**
 * The gateway service: opens the store, starts the local listener (and the hub's HTTPS
 * listener when configured) and the drop folder, and shuts all of it down gracefully —
 * stop accepting, let requests and imports in flight finish within the deadline, close the store.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Router } from 'express';
import type { Config } from '../core/config/load';
import { requireSetting } from '../core/config/load';
import { describeError } from '../core/errors';
import { createLogger, type Logger } from '../core/logger';
import type { GatewayContext } from './context';
import { startDropFolder, type DropFolder } from './dropfolder/watcher';
import { startHubIfConfigured, type HubListener } from './hub-plug';
import { createLocalApp } from './http/app';
import { KeyedLock } from './keyed-lock';
import { ReadBudget } from './read-budget';
import { GatewayMetrics } from './metrics';
import { rederiveIfOutdated } from './reimport';
import { RunRegistry } from './runs';
import { GatewayState } from './state';
import { StoreGate } from './store-gate';
import { connectStore, ensureIndexes, type GatewayStore } from './store/connect';
import { PatientChanges } from './store/patient-changes';
import { backfillReceipts } from './store/receipts-backfill';
import { finishInterruptedWipe } from './wipe';

/** A running gateway. */
export interface RunningGateway {
  context: GatewayContext;
  localAddress: AddressInfo;
  hubAddress?: AddressInfo;
  dropFolder?: DropFolder;
  /** Graceful shutdown; resolves when everything is closed. */
  close(): Promise<void>;
}

/** Options of {@link startGateway}. */
export interface StartOptions {
  logger?: Logger;
}

const INDEX_RETRY_MS = 5000;

/**
 * Creates the indexes (and back-fills receipts once, at the store's gate) now, or keeps retrying
 * in the background while the store is away.
 */
function ensureIndexesSoon(
  store: GatewayStore,
  gate: StoreGate,
  logger: Logger,
): { cancel(): void; ready: Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let cancelled = false;
  const ready = new Promise<void>((resolve) => {
    const attempt = (): void => {
      const ready = async (): Promise<void> => {
        await ensureIndexes(store);
        await gate.write(() => backfillReceipts(store, logger));
      };
      ready().then(resolve, (error: unknown) => {
        logger.warn({ error: describeError(error) }, 'store indexes or receipts not ready yet; retrying');
        if (!cancelled) timer = setTimeout(attempt, INDEX_RETRY_MS);
      });
    };
    attempt();
  });
  return { cancel: () => ((cancelled = true), clearTimeout(timer)), ready };
}

async function resolveMongoUrl(config: Config, logger: Logger): Promise<string> {
  if (config.mongodbUrl !== undefined) return config.mongodbUrl;
  const { findOrStartMongo } = await import('../dev/services/mongo');
  const server = await findOrStartMongo();
  logger.warn({ kind: server.kind }, 'ENDPOINT_MONGODB_URL is not set; using a local development Mongo-wire server');
  return server.uri;
}

function listen(server: http.Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** Waits until `idle()` or the deadline; true when idle. */
async function waitUntil(idle: () => boolean, deadlineMs: number): Promise<boolean> {
  const until = Date.now() + deadlineMs;
  while (!idle()) {
    if (Date.now() >= until) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return true;
}

/** The parts a gateway releases on close (or when its start fails half-way). */
interface GatewayParts {
  context: GatewayContext;
  indexes: { cancel(): void };
  hub?: HubListener;
}

async function releaseParts({ context, indexes, hub }: GatewayParts): Promise<void> {
  await hub
    ?.close()
    .catch((error: unknown) =>
      context.logger.error({ error: describeError(error) }, 'hub listener did not close cleanly'),
    );
  indexes.cancel();
  context.metrics.stop();
  await context.store.close();
}

/** Checks the secrets, opens the store (lazily) and builds the shared context. */
async function buildContext(
  config: Config,
  options: StartOptions,
): Promise<{ context: GatewayContext; indexes: { cancel(): void } }> {
  const secrets = {
    hmacSecret: requireSetting(config, 'hmacSecret', 'to hash health numbers before they are stored'),
    ingestToken: requireSetting(config, 'ingestToken', 'to check the exporter sending documents'),
    adminToken: requireSetting(config, 'adminToken', 'to protect the admin routes'),
  };
  const logger = options.logger ?? createLogger({ level: config.logLevel, base: { part: 'gateway' } });
  const store = connectStore({
    url: await resolveMongoUrl(config, logger),
    database: config.mongodbDatabase,
    timeoutMs: config.mongodbTimeoutMs,
  });
  const state = new GatewayState();
  const metrics = new GatewayMetrics({
    importsInFlight: () => state.importsInFlight,
    runningQueries: () => state.runningQueries(),
    draining: () => state.draining,
  });
  const patientChanges = new PatientChanges();
  const patientLock = new KeyedLock();
  const gate = new StoreGate(store, config.retryAfterSeconds);
  const runs = new RunRegistry({
    store,
    clinicId: config.clinicId,
    retryAfterSeconds: config.retryAfterSeconds,
    changes: patientChanges,
    patientLock,
    gate,
  });
  const context: GatewayContext = {
    config,
    secrets,
    store,
    logger,
    state,
    metrics,
    runs,
    patientLock,
    gate,
    readBudget: new ReadBudget(config.maxBodyBytes),
    patientChanges,
  };
  const indexes = ensureIndexesSoon(store, gate, logger);
  indexes.ready
    .then(() => finishInterruptedWipe(context))
    .then(() => rederiveIfOutdated(context))
    .catch((error: unknown) =>
      logger.warn({ error: describeError(error) }, 'the derivation version could not be checked'),
    );
  return { context, indexes };
}

/** Stops accepting, lets work in flight finish within the deadline, then releases everything. */
async function closeGracefully(
  server: http.Server,
  parts: GatewayParts,
  dropFolder: DropFolder | undefined,
): Promise<void> {
  const { logger, state, config } = parts.context;
  logger.info('gateway shutting down');
  const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  await dropFolder?.stop();
  const finished = await waitUntil(
    () => state.requestsInFlight === 0 && state.importsInFlight === 0,
    config.shutdownDeadlineMs,
  );
  if (!finished)
    logger.warn(
      { requestsInFlight: state.requestsInFlight, importsInFlight: state.importsInFlight },
      'shutdown deadline reached; closing connections',
    );
  server.closeAllConnections();
  await serverClosed;
  await releaseParts(parts);
  logger.info('gateway stopped');
}

/** Starts the gateway per config. Fails fast on missing secrets. */
export async function startGateway(config: Config, options: StartOptions = {}): Promise<RunningGateway> {
  const parts: GatewayParts = await buildContext(config, options);
  const { context } = parts;
  const { state, logger } = context;
  // The local listener answers (livez, ingest) before the hub's jobs are recovered; the hub's admin
  // routes join their mount point once the hub has started.
  const hubAdminMount = Router();
  const server = http.createServer(createLocalApp(context, { hubAdminRouter: hubAdminMount }));
  server.requestTimeout = config.requestTimeoutMs + 1000;
  server.headersTimeout = Math.min(60000, server.requestTimeout);
  let localAddress: AddressInfo;
  try {
    localAddress = await listen(server, config.gatewayHost, config.gatewayPort);
    parts.hub = await startHubIfConfigured({
      config,
      db: context.store.db,
      logger,
      isDraining: () => state.draining,
      patientChanges: context.patientChanges,
    });
    const hub = parts.hub;
    if (hub) {
      state.runningQueries = () => hub.runningQueries();
      state.queuedQueries = () => hub.queuedQueries?.() ?? 0;
      state.queryEngine = () => hub.queryEngine?.();
      if (hub.adminRouter) hubAdminMount.use(hub.adminRouter);
    }
  } catch (error) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await releaseParts(parts);
    throw error;
  }
  const dropFolder =
    config.dropDir !== undefined ? await startDropFolder(context, config.dropDir, config.dropPollMs) : undefined;
  logger.info(
    {
      host: localAddress.address,
      port: localAddress.port,
      hubPort: parts.hub?.address.port,
      dropFolder: config.dropDir !== undefined,
    },
    'gateway listening',
  );
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => (closing ??= closeGracefully(server, parts, dropFolder));
  return { context, localAddress, hubAddress: parts.hub?.address, dropFolder, close };
}
