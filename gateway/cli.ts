/**
 * `endpoint gateway …`: `start` runs the service per config until SIGTERM/SIGINT; the other
 * commands talk to the running gateway's local listener (admin or ingest token from config),
 * so every write goes through the one process that serialises writes per patient.
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { checkTlsFiles } from '../core/certificates';
import { loadConfig, requireSetting, type Config } from '../core/config/load';
import { parseCommandArgs } from '../core/cli-args';
import { EndpointError } from '../core/errors';
import { createLogger, type Logger } from '../core/logger';
import { WIPE_CONFIRMATION } from './http/routes-records';
import { startGateway } from './service';

const USAGE = `Usage: endpoint gateway <command> [--url URL]
  start                          run the gateway (local listener, hub listener when TLS is configured, drop folder)
  status                         print the running gateway's /status
  wipe --confirm ${WIPE_CONFIRMATION}   remove every patient of this clinic
  delete PATIENT_KEY             remove one patient (clinicId:demographicNo)
  reimport [--wait]              re-derive every patient from the stored source documents
  drain | undrain                refuse (or accept again) imports and new queries
  import DIR                     send every .xml file of DIR to the running gateway
  held                           list hub query results waiting for release (hold mode)
  release QUERY_ID               release a held hub query result to the hub
--url defaults to the local listener of the config (ENDPOINT_GATEWAY_HOST/PORT).`;

/** Seconds to wait after a graceful shutdown before forcing the exit (a leaked handle). */
const EXIT_GRACE_MS = 2000;

function localUrl(config: Config): string {
  const host = config.gatewayHost === '0.0.0.0' || config.gatewayHost === '::' ? '127.0.0.1' : config.gatewayHost;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.gatewayPort}`;
}

async function call(
  url: string,
  token: string,
  method: string,
  route: string,
  body?: Buffer,
  contentType?: string,
): Promise<Record<string, unknown>> {
  let response: Response;
  try {
    response = await fetch(`${url}${route}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(contentType ? { 'content-type': contentType } : {}) },
      body: body ? new Uint8Array(body) : undefined,
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    throw new EndpointError(
      'SERVICE_UNAVAILABLE',
      `The gateway at ${url} does not answer (${cause ?? (error instanceof Error ? error.message : String(error))}); is it running?`,
    );
  }
  const answer = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok)
    throw new EndpointError(
      'INVALID_REQUEST',
      `${method} ${route} → ${response.status} ${String(answer.error ?? '')}: ${String(answer.message ?? '')}`,
    );
  return answer;
}

function print(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/**
 * What `gateway start` refuses before it starts anything: no MongoDB named (a production box must
 * never fall back to the dev tooling's throw-away store), and TLS files that cannot be used.
 * An empty hub allow-list is logged (certificates close to expiry: by the hub listener as it starts).
 */
function checkBeforeStart(config: Config, logger: Logger): void {
  if (config.mongodbUrl === undefined) {
    throw new EndpointError(
      'CONFIG_INVALID',
      'ENDPOINT_MONGODB_URL is not set; the gateway keeps its records in the MongoDB it names (e.g. mongodb://127.0.0.1:27017/). Set it in the env file; only the demo (npm run demo) starts a throw-away store by itself.',
    );
  }
  // Expiry is logged by the hub listener as it starts (gateway/hub/server.ts).
  if (checkTlsFiles(config) === undefined) return;
  if (config.hubAllowedSubjects.length === 0) {
    logger.warn(
      'ENDPOINT_HUB_ALLOWED_SUBJECTS is empty: any client certificate the hub CA signed may query this clinic; set it to the hub identities (install.sh writes research-hub)',
    );
  }
}

async function runStart(config: Config): Promise<number> {
  const logger = createLogger({ level: config.logLevel, base: { part: 'gateway' } });
  checkBeforeStart(config, logger);
  const gateway = await startGateway(config, { logger });
  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      logger.info({ signal }, 'signal received');
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  await gateway.close();
  setTimeout(() => process.exit(0), EXIT_GRACE_MS).unref();
  return 0;
}

async function runImport(url: string, token: string, dir: string): Promise<number> {
  const files = (await readdir(dir)).filter((name) => /\.xml$/i.test(name)).sort();
  const outcomes: Record<string, number> = {};
  const failures: { file: string; error: string }[] = [];
  for (const file of files) {
    try {
      const answer = await call(
        url,
        token,
        'POST',
        '/records',
        await readFile(path.join(dir, file)),
        'application/xml',
      );
      outcomes[String(answer.outcome)] = (outcomes[String(answer.outcome)] ?? 0) + 1;
    } catch (error) {
      if (error instanceof EndpointError && error.code === 'SERVICE_UNAVAILABLE') throw error;
      failures.push({ file, error: error instanceof Error ? error.message : String(error) });
    }
  }
  print({ files: files.length, outcomes, failed: failures.length, failures });
  return failures.length === 0 ? 0 : 1;
}

/** `GET` a health route; a gateway that does not answer is the README's sentence, not `fetch failed`. */
async function getJson(url: string, route: string): Promise<Record<string, unknown>> {
  let response: Response;
  try {
    response = await fetch(`${url}${route}`);
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    throw new EndpointError(
      'SERVICE_UNAVAILABLE',
      `The gateway at ${url} does not answer (${cause ?? (error instanceof Error ? error.message : String(error))}); is it running?`,
    );
  }
  return (await response.json().catch(() => ({}))) as Record<string, unknown>;
}

async function waitForReimport(url: string): Promise<Record<string, unknown>> {
  for (;;) {
    const status = (await getJson(url, '/status')) as { reimport: Record<string, unknown> };
    if (status.reimport.state !== 'running') return status.reimport;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Runs `endpoint gateway` with the arguments after `gateway`. */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    args,
    {
      url: { type: 'string' },
      confirm: { type: 'string' },
      wait: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    USAGE,
  );
  const [command, argument] = positionals;
  if (values.help || command === undefined) {
    process.stdout.write(USAGE + '\n');
    return values.help ? 0 : 2;
  }
  const config = loadConfig();
  if (command === 'start') return runStart(config);
  const url = values.url ?? localUrl(config);
  const admin = (): string => requireSetting(config, 'adminToken', `for 'endpoint gateway ${command}'`);
  switch (command) {
    case 'status':
      print(await getJson(url, '/status'));
      return 0;
    case 'wipe':
      if (values.confirm !== WIPE_CONFIRMATION)
        throw new EndpointError('USAGE', `wipe removes every patient; confirm with --confirm ${WIPE_CONFIRMATION}.`);
      print(await call(url, admin(), 'DELETE', `/records?confirm=${WIPE_CONFIRMATION}`));
      return 0;
    case 'delete':
      if (argument === undefined) throw new EndpointError('USAGE', `delete needs a patient key.\n${USAGE}`);
      print(await call(url, admin(), 'DELETE', `/records/${encodeURIComponent(argument)}`));
      return 0;
    case 'reimport':
      print(await call(url, admin(), 'POST', '/admin/reimport'));
      if (values.wait) print(await waitForReimport(url));
      return 0;
    case 'drain':
    case 'undrain':
      print(await call(url, admin(), 'POST', `/admin/${command}`));
      return 0;
    case 'held':
      print(await call(url, admin(), 'GET', '/admin/queries?status=held'));
      return 0;
    case 'release':
      if (argument === undefined) throw new EndpointError('USAGE', `release needs a query id.\n${USAGE}`);
      print(await call(url, admin(), 'POST', `/admin/queries/${encodeURIComponent(argument)}/release`));
      return 0;
    case 'import':
      if (argument === undefined) throw new EndpointError('USAGE', `import needs a folder.\n${USAGE}`);
      return runImport(url, requireSetting(config, 'ingestToken', "for 'endpoint gateway import'"), argument);
    default:
      throw new EndpointError('USAGE', `Unknown gateway command '${command}'.\n${USAGE}`);
  }
}
