/**
 * Support of the hostile-input and security cases: the real gateway as a child process
 * (`node dist/cli/main.js gateway start`, logging at debug level into memory), its memory read
 * from /proc, a `/livez` watcher, a raw HTTP sender that copes with an answer arriving before the
 * upload ends, and the fixture manifest of `fixtures/hostile/`. The child is ended by its pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import type { Db } from 'mongodb';
import { freePort } from '../../dev/services/mongo';
import { sampleXml } from '../gateway/support';

/** The project root and the built CLI (`npx tsc -p tsconfig.build.json` makes it). */
export const ROOT = path.join(__dirname, '..', '..');
export const CLI = path.join(ROOT, 'dist', 'cli', 'main.js');
/** The hostile fixtures and their manifest. */
export const HOSTILE_DIR = path.join(__dirname, 'fixtures', 'hostile');
export const MANIFEST_FILE = path.join(HOSTILE_DIR, 'cases.json');

/** Tokens and secret of the child gateways. */
export const HOSTILE_SECRETS = {
  ingestToken: 'hostile-ingest-token',
  adminToken: 'hostile-admin-token',
  hmacSecret: 'hostile-clinic-secret',
} as const;

/** Sleeps. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** TLS files for the hub listener of a child gateway. */
export interface GatewayTls {
  certFile: string;
  keyFile: string;
  caFile: string;
}

/** A gateway running as a child process. */
export interface GatewayProcess {
  pid: number;
  baseUrl: string;
  hubPort?: number;
  /** Milliseconds from the spawn to the first `/livez` 200, and (with TLS) to the hub port accepting connections. */
  startup: { livezMs: number; hubMs?: number };
  /** Everything the process wrote to stdout and stderr so far. */
  logs(): string;
  /** SIGTERM, then SIGKILL after 10 s; resolves when the process has ended. */
  stop(): Promise<void>;
}

/** Options of {@link startGatewayProcess}. */
export interface GatewayProcessOptions {
  mongoUri: string;
  database: string;
  clinicId: string;
  tls?: GatewayTls;
  env?: Record<string, string>;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) =>
    child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve()),
  );
}

/** Starts `endpoint gateway start` with its configuration in the environment; waits for `/livez`. */
export async function startGatewayProcess(options: GatewayProcessOptions): Promise<GatewayProcess> {
  const port = await freePort();
  const hubPort = options.tls ? await freePort() : undefined;
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('ENDPOINT_') && key !== 'MONGODB_URI'),
  );
  const env: NodeJS.ProcessEnv = {
    ...inherited,
    ENDPOINT_MONGODB_URL: options.mongoUri,
    ENDPOINT_MONGODB_DATABASE: options.database,
    ENDPOINT_GATEWAY_HOST: '127.0.0.1',
    ENDPOINT_GATEWAY_PORT: String(port),
    ENDPOINT_CLINIC_ID: options.clinicId,
    ENDPOINT_INGEST_TOKEN: HOSTILE_SECRETS.ingestToken,
    ENDPOINT_ADMIN_TOKEN: HOSTILE_SECRETS.adminToken,
    ENDPOINT_HMAC_SECRET: HOSTILE_SECRETS.hmacSecret,
    ENDPOINT_LOG_LEVEL: 'debug',
    ENDPOINT_SHUTDOWN_DEADLINE_MS: '3000',
    ENDPOINT_COMMIT: 'hostile-suite',
    ...(options.tls
      ? {
          ENDPOINT_TLS_CERT: options.tls.certFile,
          ENDPOINT_TLS_KEY: options.tls.keyFile,
          ENDPOINT_HUB_CA: options.tls.caFile,
          ENDPOINT_HUB_HOST: '127.0.0.1',
          ENDPOINT_HUB_PORT: String(hubPort),
        }
      : {}),
    ...options.env,
  };
  const child = spawn(process.execPath, [CLI, 'gateway', 'start'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const ended = exited(child);
  const baseUrl = `http://127.0.0.1:${port}`;
  const spawnedAt = performance.now();
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await ended;
      clearTimeout(timer);
    }
  };
  const failed = async (what: string): Promise<never> => {
    await stop();
    throw new Error(`the gateway child did not ${what}: ${output.slice(-2000)}`);
  };
  for (let attempt = 0; ; attempt += 1) {
    const live = await get(`${baseUrl}/livez`, 1000).then(
      (answer) => answer.status,
      () => 0,
    );
    if (live === 200) break;
    if (child.exitCode !== null || attempt > 300) await failed('start');
    await sleep(50);
  }
  const startup: GatewayProcess['startup'] = { livezMs: Math.round(performance.now() - spawnedAt) };
  // The local listener answers first; the hub listener opens once the hub's jobs are recovered.
  for (let attempt = 0; hubPort !== undefined; attempt += 1) {
    if (await accepts(hubPort)) {
      startup.hubMs = Math.round(performance.now() - spawnedAt);
      break;
    }
    if (child.exitCode !== null || attempt > 1200) await failed('open its hub listener');
    await sleep(50);
  }
  return { pid: child.pid!, baseUrl, hubPort, startup, logs: () => output, stop };
}

/** True when something accepts a TCP connection on the loopback port. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Resident memory of a process, from /proc/<pid>/status, in bytes: now and its peak. */
export function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kib('VmRSS'), peak: kib('VmHWM') };
}

/** Resets the peak (VmHWM) of a process to its current RSS; false when the kernel refuses. */
export function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** One HTTP answer. */
export interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  ms: number;
}

function get(url: string, timeoutMs: number): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const request = http.get(url, { agent: false, timeout: timeoutMs }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, text, ms: performance.now() - started }),
      );
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', reject);
  });
}

/** A `/livez` poller running beside a case. */
export interface LivezWatch {
  /** Stops polling; the answers seen (status 0 = no answer within the timeout). */
  stop(): Promise<{ answered: number; failed: number; slowestMs: number }>;
}

/** Polls `GET /livez` every `everyMs` until stopped, each with a `timeoutMs` bound. */
export function watchLivez(baseUrl: string, everyMs = 100, timeoutMs = 3000): LivezWatch {
  let running = true;
  const figures = { answered: 0, failed: 0, slowestMs: 0 };
  const loop = (async () => {
    while (running) {
      const answer = await get(`${baseUrl}/livez`, timeoutMs).catch(() => undefined);
      if (answer?.status === 200) figures.answered += 1;
      else figures.failed += 1;
      figures.slowestMs = Math.max(figures.slowestMs, answer?.ms ?? timeoutMs);
      await sleep(everyMs);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return figures;
    },
  };
}

/** How a case's body travels. */
export type Transport = 'raw' | 'chunked' | 'multipart';

/** One request to send. */
export interface HostileRequest {
  method?: string;
  path?: string;
  headers: Record<string, string>;
  body: Buffer;
  transport: Transport;
}

/**
 * Sends a request and reads the answer. `raw` sends Content-Length, `chunked` streams the body in
 * 1 MiB chunks without it (the size limit must hold while streaming). An answer that arrives
 * before the upload is complete ends the upload; a write error after it is expected, not a failure.
 */
export function send(baseUrl: string, request: HostileRequest, timeoutMs: number): Promise<RawAnswer> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const headers = { ...request.headers };
    if (request.transport !== 'chunked') headers['content-length'] = String(request.body.length);
    let answered = false;
    const outgoing = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: request.method ?? 'POST',
        path: request.path ?? '/records',
        headers,
        agent: false,
      },
      (response) => {
        answered = true;
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            text,
            ms: performance.now() - started,
          }),
        );
        response.on('error', reject);
      },
    );
    const timer = setTimeout(() => outgoing.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    outgoing.on('close', () => clearTimeout(timer));
    outgoing.on('error', (error) => {
      if (!answered) reject(error);
    });
    const chunkSize = 1024 * 1024;
    let offset = 0;
    const pump = (): void => {
      while (offset < request.body.length && !answered && !outgoing.destroyed) {
        const chunk = request.body.subarray(offset, offset + chunkSize);
        offset += chunk.length;
        if (!outgoing.write(chunk)) return void outgoing.once('drain', pump);
      }
      if (!outgoing.destroyed && !outgoing.writableEnded) outgoing.end();
    };
    pump();
  });
}

/** A multipart/form-data body with one field holding `content`. */
export function multipartBody(field: string, content: Buffer, asFile: boolean): { body: Buffer; contentType: string } {
  const boundary = `----hostile-suite-${Date.now().toString(16)}`;
  const disposition = `Content-Disposition: form-data; name="${field}"${asFile ? '; filename="document.xml"\r\nContent-Type: application/xml' : ''}`;
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\n${disposition}\r\n\r\n`),
    content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

/** What a case expects: a coded error, or (for well-formed documents the tolerant reader accepts) an outcome. */
export type HostileExpectation =
  | { status: number; error: string }
  | { status: number; outcome: 'created'; demographicNo: string; maxWarnings?: number };

/** One case of `fixtures/hostile/cases.json`. */
export interface HostileCase {
  /** The fixture file: the body itself, or a `.gen.js` module whose `build(helpers)` makes it at test time. */
  file: string;
  name: string;
  transport: Transport;
  /** The Content-Type header (absent: none sent); `multipart` makes its own. */
  contentType?: string;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** `multipart`: the field name (default `content`) and whether the part is a file. */
  field?: string;
  asFile?: boolean;
  expect: HostileExpectation;
  /** The bound on the answer's time (default 5000 ms). */
  timeLimitMs?: number;
  /** Text that must appear in no answer and nowhere in the store. */
  forbidden?: string[];
}

/** What a `.gen.js` fixture's `build` gets. */
export interface GeneratorHelpers {
  /** A real sample document of ../shared/e2e-samples, its id extension replaced when given. */
  sample(file: string, demographicNo?: string): string;
}

/** The manifest's cases, checked against the folder: one file per case, every file in the manifest. */
export function loadHostileCases(): HostileCase[] {
  const cases = JSON.parse(readFileSync(MANIFEST_FILE, 'utf8')) as HostileCase[];
  const files = readdirSync(HOSTILE_DIR).filter((file) => file !== path.basename(MANIFEST_FILE));
  const named = cases.map((entry) => entry.file);
  const missing = named.filter((file) => !files.includes(file));
  const unlisted = files.filter((file) => !named.includes(file));
  const repeated = named.filter((file, index) => named.indexOf(file) !== index);
  if (missing.length + unlisted.length + repeated.length > 0) {
    throw new Error(
      `fixtures/hostile and cases.json disagree: missing ${missing.join(', ') || '-'}; unlisted ${unlisted.join(', ') || '-'}; repeated ${repeated.join(', ') || '-'}`,
    );
  }
  return cases;
}

/** The case's body bytes (a generator runs now). */
export function bodyOf(entry: HostileCase): Buffer {
  const file = path.join(HOSTILE_DIR, entry.file);
  if (!entry.file.endsWith('.gen.js')) return readFileSync(file);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const generator = require(file) as { build(helpers: GeneratorHelpers): Buffer | string };
  const built = generator.build({ sample: sampleXml });
  return typeof built === 'string' ? Buffer.from(built, 'utf8') : built;
}

/** The request a case sends to `POST /records` with the ingest token. */
export function requestOf(entry: HostileCase, body: Buffer): HostileRequest {
  const headers: Record<string, string> = { authorization: `Bearer ${HOSTILE_SECRETS.ingestToken}`, ...entry.headers };
  if (entry.transport === 'multipart') {
    const form = multipartBody(entry.field ?? 'content', body, entry.asFile === true);
    return { headers: { ...headers, 'content-type': form.contentType }, body: form.body, transport: 'raw' };
  }
  if (entry.contentType !== undefined) headers['content-type'] = entry.contentType;
  return { headers, body, transport: entry.transport };
}

/** `_id`, `sourceHash` and `updatedAt` of every stored patient, sorted by `_id`. */
export async function patientSnapshot(db: Db): Promise<string[]> {
  const rows = await db
    .collection<{ _id: string }>('patients')
    .find({}, { projection: { _id: 1, sourceHash: 1, updatedAt: 1 } })
    .toArray();
  return rows.map((row) => JSON.stringify(row)).sort();
}

/** Every document of every collection, as text (gzip sources unpacked), to search for leaked content. */
export async function storeText(db: Db): Promise<string> {
  const { gunzipSync } = await import('node:zlib');
  const parts: string[] = [];
  for (const { name } of await db.listCollections().toArray()) {
    for (const document of await db.collection(name).find({}).toArray()) {
      const gzip = (document as { gzip?: { buffer?: Uint8Array } }).gzip;
      if (gzip?.buffer) parts.push(gunzipSync(Buffer.from(gzip.buffer)).toString('latin1'));
      parts.push(JSON.stringify(document));
    }
  }
  return parts.join('\n');
}
