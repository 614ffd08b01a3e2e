/**
 * Test support for the gateway: a real gateway in-process on a loopback port 0 against the
 * run's Mongo-wire server (a database of the test file's own), real sample documents, and
 * small HTTP helpers (global fetch, i.e. undici).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { Db } from 'mongodb';
import { loadConfig, type SettingName } from '../../core/config/load';
import { createLogger } from '../../core/logger';
import { startGateway, type RunningGateway } from '../../gateway/service';
import { openTestMongo } from '../support/services';

/** The tokens and secret every test gateway uses. */
export const TEST_SECRETS = { ingestToken: 'ingest-token-for-tests', adminToken: 'admin-token-for-tests', hmacSecret: 'clinic-secret-for-tests' } as const;
/** The clinic id of the test gateways. */
export const TEST_CLINIC = 'test-clinic';

/** The shared samples folder (external data, read in place). */
export const SAMPLES_DIR = path.resolve(__dirname, '../../../shared/e2e-samples');

/** A real sample document; with `demographicNo`, its ClinicalDocument id extension replaced. */
export function sampleXml(file: string, demographicNo?: string): string {
  const xml = readFileSync(path.join(SAMPLES_DIR, file), 'utf8');
  return demographicNo === undefined ? xml : xml.replace(/<id extension="[^"]*"/, `<id extension="${demographicNo}"`);
}

/** Two real OSCAR exports used throughout the tests. */
export const CLEESE = '08_JOHN_CLEESE_1_25091940.xml';
export const CHAN = '11_sample10_DALE_CHAN_5_29011973.xml';

/** Collects log lines written by a logger. */
export function logCapture(): { stream: Writable; text(): string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      text += chunk.toString();
      callback();
    },
  });
  return { stream, text: () => text };
}

/** A gateway running for a test. */
export interface TestGateway {
  gateway: RunningGateway;
  baseUrl: string;
  db: Db;
  close(): Promise<void>;
}

/** Options of {@link startTestGateway}. */
export interface TestGatewayOptions {
  overrides?: Partial<Record<SettingName, string>>;
  /** Where logs go (default: discarded at level silent). */
  logStream?: Writable;
  /** Use this Mongo URI and database instead of a fresh test database. */
  mongo?: { uri: string; database: string; db: Db };
}

/** Starts a gateway on 127.0.0.1:0 against a fresh database of the test file's own. */
export async function startTestGateway(testFile: string, options: TestGatewayOptions = {}): Promise<TestGateway> {
  const own = options.mongo ? undefined : await openTestMongo(testFile);
  const uri = options.mongo?.uri ?? own!.uri;
  const database = options.mongo?.database ?? own!.name;
  const config = loadConfig({
    env: {},
    overrides: {
      mongodbUrl: uri,
      mongodbDatabase: database,
      gatewayHost: '127.0.0.1',
      gatewayPort: '0',
      clinicId: TEST_CLINIC,
      logLevel: options.logStream ? 'debug' : 'silent',
      ...TEST_SECRETS,
      ...options.overrides,
    },
  });
  const logger = createLogger({ level: config.logLevel, destination: options.logStream, base: { part: 'gateway' } });
  const gateway = await startGateway(config, { logger });
  return {
    gateway,
    baseUrl: `http://127.0.0.1:${gateway.localAddress.port}`,
    db: options.mongo?.db ?? own!.db,
    close: async () => {
      await gateway.close();
      await own?.drop();
    },
  };
}

/** A JSON answer. */
export interface JsonAnswer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

async function answer(response: Response): Promise<JsonAnswer> {
  const text = await response.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { raw: text };
  }
  return { status: response.status, headers: response.headers, body };
}

/** Posts a document to `POST /records`. */
export async function postRecord(
  baseUrl: string,
  body: string | Buffer,
  options: { token?: string | null; contentType?: string; runId?: string } = {},
): Promise<JsonAnswer> {
  const headers: Record<string, string> = { 'content-type': options.contentType ?? 'application/xml' };
  const token = options.token === undefined ? TEST_SECRETS.ingestToken : options.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (options.runId !== undefined) headers['x-run-id'] = options.runId;
  return answer(await fetch(`${baseUrl}/records`, { method: 'POST', headers, body }));
}

/** Calls a JSON route with a token (default: the admin token). */
export async function callJson(baseUrl: string, method: string, route: string, options: { token?: string | null; body?: unknown } = {}): Promise<JsonAnswer> {
  const headers: Record<string, string> = {};
  const token = options.token === undefined ? TEST_SECRETS.adminToken : options.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  return answer(await fetch(`${baseUrl}${route}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) }));
}
