/**
 * Every setting of the endpoint, by part. This table is the single source of the config
 * loader, the README's configuration table and `deploy/endpoint.env.example`.
 */
import { monitorSettings } from './settings-monitor';
import { updaterSettings } from './settings-updater';
import type { SettingSpec } from './spec';

const common = {
  clinicId: {
    env: 'ENDPOINT_CLINIC_ID',
    kind: 'string',
    default: 'demo-clinic',
    doc: 'Identifier of this clinic in the network; part of every patient key.',
  },
  logLevel: {
    env: 'ENDPOINT_LOG_LEVEL',
    kind: 'enum',
    default: 'info',
    values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    doc: 'pino log level.',
  },
  sharedDir: {
    env: 'ENDPOINT_SHARED_DIR',
    kind: 'path',
    default: '../shared',
    doc: 'Folder of the external reference data (E2E samples, schemas, OSCAR tables).',
  },
  xsdDir: {
    env: 'ENDPOINT_E2E_XSD_DIR',
    kind: 'path',
    default: '../shared/e2e-schema',
    fallbackEnv: ['E2E_XSD_DIR'],
    doc: 'Folder of the PITO E2E-DTC XML schemas (root CDA-PITO-E2E.xsd).',
  },
  stateDir: {
    env: 'ENDPOINT_STATE_DIR',
    kind: 'path',
    default: 'var',
    doc: 'Folder for run state, locks and status files (created if missing).',
  },
} as const satisfies Record<string, SettingSpec>;

const oscar = {
  oscarUrl: {
    env: 'ENDPOINT_OSCAR_URL',
    kind: 'url',
    default: 'mysql://root@127.0.0.1:3306/oscar_demo',
    doc: 'The backup OSCAR database (mysql://user:password@host:port/database); a SELECT-only account in production.',
  },
  allowWritableAccount: {
    env: 'ENDPOINT_ALLOW_WRITABLE_ACCOUNT',
    kind: 'bool',
    default: 'false',
    doc: 'Let the exporter run with an OSCAR account that can write (refused otherwise).',
  },
} as const satisfies Record<string, SettingSpec>;

const store = {
  mongodbUrl: {
    env: 'ENDPOINT_MONGODB_URL',
    kind: 'url',
    default: undefined,
    fallbackEnv: ['MONGODB_URI'],
    doc: 'MongoDB connection string. Required by `gateway start` (refused when unset); only the demo and `endpoint dev services` start a throw-away local Mongo-wire server.',
  },
  mongodbDatabase: {
    env: 'ENDPOINT_MONGODB_DATABASE',
    kind: 'string',
    default: 'e2e_endpoint',
    doc: 'MongoDB database name.',
  },
  mongodbTimeoutMs: {
    env: 'ENDPOINT_MONGODB_TIMEOUT_MS',
    kind: 'int',
    default: '3000',
    min: 100,
    doc: 'How long a store operation waits for the MongoDB server before the gateway answers 503.',
  },
} as const satisfies Record<string, SettingSpec>;

const gateway = {
  gatewayHost: {
    env: 'ENDPOINT_GATEWAY_HOST',
    kind: 'string',
    default: '127.0.0.1',
    doc: 'Address of the local (ingest and admin) listener.',
  },
  gatewayPort: {
    env: 'ENDPOINT_GATEWAY_PORT',
    kind: 'int',
    default: '3080',
    min: 0,
    max: 65535,
    doc: 'Port of the local listener (plain HTTP, clinic LAN only).',
  },
  ingestToken: {
    env: 'ENDPOINT_INGEST_TOKEN',
    kind: 'secret',
    default: undefined,
    doc: 'Bearer token the exporter sends with each document.',
  },
  adminToken: {
    env: 'ENDPOINT_ADMIN_TOKEN',
    kind: 'secret',
    default: undefined,
    doc: 'Bearer token for the admin routes (wipe, delete, reimport, drain).',
  },
  hmacSecret: {
    env: 'ENDPOINT_HMAC_SECRET',
    kind: 'secret',
    default: undefined,
    doc: 'Clinic secret for the keyed HMAC of health numbers (linkage without storing them).',
  },
  maxBodyBytes: {
    env: 'ENDPOINT_MAX_BODY_BYTES',
    kind: 'int',
    default: '20000000',
    min: 1024,
    doc: 'Largest accepted E2E document, in bytes.',
  },
  keepNoteText: {
    env: 'ENDPOINT_KEEP_NOTE_TEXT',
    kind: 'bool',
    default: 'false',
    doc: 'Keep encounter free text in the store (dropped by default).',
  },
  dropDir: {
    env: 'ENDPOINT_DROP_DIR',
    kind: 'path',
    default: undefined,
    doc: 'Folder watched for .xml documents (the file transport); unset: not watched.',
  },
  requestTimeoutMs: {
    env: 'ENDPOINT_REQUEST_TIMEOUT_MS',
    kind: 'int',
    default: '30000',
    min: 100,
    doc: 'Longest a request to the gateway may take.',
  },
  shutdownDeadlineMs: {
    env: 'ENDPOINT_SHUTDOWN_DEADLINE_MS',
    kind: 'int',
    default: '10000',
    min: 0,
    doc: 'On SIGTERM, how long in-flight work may finish.',
  },
  dropPollMs: {
    env: 'ENDPOINT_DROP_POLL_MS',
    kind: 'int',
    default: '1000',
    min: 50,
    doc: 'How often the drop folder is scanned; a file is complete when its size and time are unchanged over one interval.',
  },
  retryAfterSeconds: {
    env: 'ENDPOINT_RETRY_AFTER_SECONDS',
    kind: 'int',
    default: '5',
    min: 1,
    max: 3600,
    doc: 'Retry-After sent with 503 answers (store down, draining).',
  },
} as const satisfies Record<string, SettingSpec>;

const hub = {
  hubHost: {
    env: 'ENDPOINT_HUB_HOST',
    kind: 'string',
    default: '0.0.0.0',
    doc: 'Address of the HTTPS listener for the research hub.',
  },
  hubPort: {
    env: 'ENDPOINT_HUB_PORT',
    kind: 'int',
    default: '3443',
    min: 0,
    max: 65535,
    doc: 'Port of the HTTPS listener (mutual TLS).',
  },
  tlsCert: {
    env: 'ENDPOINT_TLS_CERT',
    kind: 'path',
    default: undefined,
    doc: "The gateway's server certificate (PEM); unset: no HTTPS listener.",
  },
  tlsKey: {
    env: 'ENDPOINT_TLS_KEY',
    kind: 'path',
    default: undefined,
    doc: "The server certificate's private key (PEM).",
  },
  hubCa: {
    env: 'ENDPOINT_HUB_CA',
    kind: 'path',
    default: undefined,
    doc: 'CA certificate (PEM) that signs the hub client certificates.',
  },
  hubAllowedSubjects: {
    env: 'ENDPOINT_HUB_ALLOWED_SUBJECTS',
    kind: 'list',
    default: '',
    doc: 'Comma-separated client certificate subject CNs allowed (empty: any the CA signed; install.sh writes research-hub into the env file, and the gateway warns at start while it is empty).',
  },
  hubReleaseMode: {
    env: 'ENDPOINT_HUB_RELEASE_MODE',
    kind: 'enum',
    default: 'auto',
    values: ['auto', 'hold'],
    doc: 'auto: release results at once; hold: wait for an admin release.',
  },
  hubReleaseModes: {
    env: 'ENDPOINT_HUB_RELEASE_MODES',
    kind: 'list',
    default: '',
    doc: 'Comma-separated subject=auto|hold entries: the release mode of each hub identity (others: ENDPOINT_HUB_RELEASE_MODE).',
  },
  minCellSize: {
    env: 'ENDPOINT_MIN_CELL_SIZE',
    kind: 'int',
    default: '5',
    min: 1,
    doc: 'Counts below this are suppressed before leaving the clinic.',
  },
  queryTimeoutMs: {
    env: 'ENDPOINT_QUERY_TIMEOUT_MS',
    kind: 'int',
    default: '60000',
    min: 100,
    doc: 'Longest a hub query may run.',
  },
  queryConcurrency: {
    env: 'ENDPOINT_QUERY_CONCURRENCY',
    kind: 'int',
    default: '2',
    min: 1,
    max: 64,
    doc: 'Hub queries run at once.',
  },
  hubQueryEngine: {
    env: 'ENDPOINT_HUB_QUERY_ENGINE',
    kind: 'enum',
    default: 'memory',
    values: ['memory', 'store'],
    doc: 'memory: queries run over an in-memory projection of the patients, loaded at start and kept current by ingest; store: each query runs as aggregation pipelines in MongoDB.',
  },
  queryRetentionHours: {
    env: 'ENDPOINT_QUERY_RETENTION_HOURS',
    kind: 'int',
    default: '168',
    min: 1,
    doc: 'How long query jobs and results are kept.',
  },
  hubQueueLimit: {
    env: 'ENDPOINT_HUB_QUEUE_LIMIT',
    kind: 'int',
    default: '200',
    min: 1,
    doc: 'Most hub queries waiting to run, every hub identity together; past it a new query gets 429 QUERY_QUEUE_FULL with Retry-After.',
  },
  hubQueriesOutstanding: {
    env: 'ENDPOINT_HUB_QUERIES_OUTSTANDING',
    kind: 'int',
    default: '50',
    min: 1,
    doc: 'Most queries one hub identity may have queued or running; past it 429 QUERY_QUOTA_EXCEEDED.',
  },
  hubQueriesPerHour: {
    env: 'ENDPOINT_HUB_QUERIES_PER_HOUR',
    kind: 'int',
    default: '600',
    min: 1,
    doc: 'Most queries one hub identity may submit in an hour (a sliding window); past it 429 QUERY_QUOTA_EXCEEDED.',
  },
  auditRetentionDays: {
    env: 'ENDPOINT_AUDIT_RETENTION_DAYS',
    kind: 'int',
    default: '400',
    min: 1,
    doc: 'How long the audit entries of hub queries are kept (pruned with the query jobs).',
  },
  hubMaxConnections: {
    env: 'ENDPOINT_HUB_MAX_CONNECTIONS',
    kind: 'int',
    default: '64',
    min: 1,
    max: 10000,
    doc: 'Most connections the HTTPS listener holds open at once; more are closed as they arrive.',
  },
  hubIdleTimeoutMs: {
    env: 'ENDPOINT_HUB_IDLE_TIMEOUT_MS',
    kind: 'int',
    default: '10000',
    min: 100,
    doc: 'On the HTTPS listener: longest a TLS handshake, the headers of a request, or an idle connection may take before the socket is closed.',
  },
} as const satisfies Record<string, SettingSpec>;

const exporter = {
  gatewayUrl: {
    env: 'ENDPOINT_GATEWAY_URL',
    kind: 'url',
    default: 'http://127.0.0.1:3080',
    doc: "The gateway's local listener, where the exporter posts documents.",
  },
  exportBatchSize: {
    env: 'ENDPOINT_EXPORT_BATCH_SIZE',
    kind: 'int',
    default: '500',
    min: 1,
    max: 10000,
    doc: 'Patients read per batch (one query per table per batch).',
  },
  exportConcurrency: {
    env: 'ENDPOINT_EXPORT_CONCURRENCY',
    kind: 'int',
    default: '4',
    min: 1,
    max: 64,
    doc: 'Documents in flight to the gateway at once.',
  },
  exportRetries: {
    env: 'ENDPOINT_EXPORT_RETRIES',
    kind: 'int',
    default: '8',
    min: 0,
    max: 100,
    doc: 'Retries of one document on connection errors, 5xx and 503.',
  },
  exportRetryBaseMs: {
    env: 'ENDPOINT_EXPORT_RETRY_BASE_MS',
    kind: 'int',
    default: '500',
    min: 1,
    max: 60000,
    doc: 'First backoff step of a retry (doubled each retry, with jitter; Retry-After wins when longer).',
  },
  exportSchedule: {
    env: 'ENDPOINT_EXPORT_SCHEDULE',
    kind: 'string',
    default: '30 2 * * *',
    doc: 'Cron expression for `endpoint export schedule`.',
  },
  backupMarker: {
    env: 'ENDPOINT_BACKUP_MARKER',
    kind: 'path',
    default: undefined,
    doc: "File the OSP's backup script touches when a backup is complete.",
  },
  backupWaitMs: {
    env: 'ENDPOINT_BACKUP_WAIT_MS',
    kind: 'int',
    default: '7200000',
    min: 0,
    doc: 'How long a scheduled export waits for a fresh backup marker.',
  },
  exportNoteText: {
    env: 'ENDPOINT_EXPORT_NOTE_TEXT',
    kind: 'bool',
    default: 'false',
    doc: 'Include encounter note text in documents (off by default).',
  },
  exportLockWaitSeconds: {
    env: 'ENDPOINT_EXPORT_LOCK_WAIT_SECONDS',
    kind: 'int',
    default: '1800',
    min: 0,
    doc: 'How long an export waits for the update lock while an update switches the gateway (the updater holds it from drain to soak only); past it the run is recorded as failed.',
  },
  exportOutageSeconds: {
    env: 'ENDPOINT_EXPORT_OUTAGE_SECONDS',
    kind: 'int',
    default: '300',
    min: 1,
    doc: 'A run stops (the next one resumes) when the gateway has accepted nothing for this long while every send fails with 5xx or connection errors (store or gateway down).',
  },
  consentProviders: {
    env: 'ENDPOINT_CONSENT_PROVIDERS',
    kind: 'list',
    default: '',
    doc: 'Comma-separated physicians whose patients may be exported (empty: all): CPSIDs, MSP numbers or OSCAR provider numbers, optionally prefixed cpsid:, msp: or provider: to say which.',
  },
} as const satisfies Record<string, SettingSpec>;

/** All settings, by name. */
export const SETTINGS = {
  ...common,
  ...oscar,
  ...store,
  ...gateway,
  ...hub,
  ...exporter,
  ...updaterSettings,
  ...monitorSettings,
} as const;

/** The parts, in the order the documentation lists them. */
export const SETTING_GROUPS = {
  common,
  oscar,
  store,
  gateway,
  hub,
  exporter,
  updater: updaterSettings,
  monitor: monitorSettings,
} as const;
