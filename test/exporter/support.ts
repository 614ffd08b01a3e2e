/**
 * Test support of the exporter: a synthetic clinic in the test file's own MariaDB database, a
 * logger whose lines are kept for inspection, and a small real HTTP server on 127.0.0.1 that
 * follows the gateway's ingest API (runs, records, complete) and can be told to misbehave.
 */
import { Writable } from 'node:stream';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger, type Logger } from '../../core/logger';
import { makeClinic, type ClinicSummary, type OscarSchemaVariant } from '../../dev/clinic/make-clinic';
import { createTestOscarDatabase } from '../support/services';

/** A clinic database for one test file. */
export interface TestClinic {
  url: string;
  name: string;
  summary: ClinicSummary;
  drop(): Promise<void>;
}

/** Creates a synthetic clinic in a fresh database named after the test file. */
export async function createTestClinic(testFile: string, patients: number, schema: OscarSchemaVariant = 'latest', seed = 7): Promise<TestClinic> {
  const database = await createTestOscarDatabase(testFile);
  const summary = await makeClinic({ oscarUrl: database.url, patients, seed, schema });
  return { url: database.url, name: database.name, summary, drop: database.drop };
}

/** A logger at debug level whose JSON lines are kept in memory. */
export function capturedLogger(): { logger: Logger; lines: string[]; text(): string } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter((line) => line !== ''));
      callback();
    },
  });
  return { logger: createLogger({ level: 'debug', destination }), lines, text: () => lines.join('\n') };
}

/** What the test gateway received. */
export interface ReceivedDocument {
  runId: string | undefined;
  demographicNo: string;
  xml: string;
}

/** How the test gateway answers a document: undefined → accept. */
export type Misbehaviour = (demographicNo: string, attempt: number) => { status: number; body?: unknown; headers?: Record<string, string> } | 'drop' | undefined;

/** A real HTTP server following the gateway's ingest API (in memory). */
export interface TestGateway {
  url: string;
  token: string;
  /** Every accepted document, in order. */
  received: ReceivedDocument[];
  /** Requests per demographic number (including refused ones). */
  attempts: Map<string, number>;
  runs: Map<string, { mode: string; completed?: number }>;
  misbehave: Misbehaviour | undefined;
  /** Milliseconds to wait before accepting each document (to make runs slow enough to interrupt). */
  delayMs: number;
  close(): Promise<void>;
}

function demographicNoOf(xml: string): string {
  return /<id\b[^>]*extension="([^"]+)"/.exec(xml.slice(xml.indexOf('<ClinicalDocument')))?.[1] ?? '';
}

/** Starts the test gateway on an ephemeral loopback port. */
export async function startTestGateway(token = 'test-ingest-token'): Promise<TestGateway> {
  let nextRun = 1;
  const seen = new Map<string, string>();
  const gateway: TestGateway = { url: '', token, received: [], attempts: new Map(), runs: new Map(), misbehave: undefined, delayMs: 0, close: async () => undefined };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const json = (status: number, value: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(value));
      };
      if (req.headers.authorization !== `Bearer ${token}`) return json(401, { error: 'UNAUTHORIZED', message: 'bad token' });
      const url = new URL(req.url ?? '/', 'http://x');
      if (req.method === 'POST' && url.pathname === '/runs') {
        const runId = `run-${nextRun++}`;
        gateway.runs.set(runId, { mode: JSON.parse(body).mode });
        return json(201, { runId });
      }
      const complete = /^\/runs\/([^/]+)\/complete$/.exec(url.pathname);
      if (req.method === 'POST' && complete) {
        const run = gateway.runs.get(complete[1]);
        if (run === undefined) return json(404, { error: 'NOT_FOUND', message: 'no such run' });
        run.completed = JSON.parse(body).patientsSent;
        return json(200, { runId: complete[1], swept: true, removed: 0 });
      }
      if (req.method === 'POST' && url.pathname === '/records') {
        const demographicNo = demographicNoOf(body);
        const attempt = (gateway.attempts.get(demographicNo) ?? 0) + 1;
        gateway.attempts.set(demographicNo, attempt);
        const trouble = gateway.misbehave?.(demographicNo, attempt);
        if (trouble === 'drop') return req.socket.destroy();
        if (trouble !== undefined) return json(trouble.status, trouble.body ?? { error: 'TEST', message: 'refused by the test' }, trouble.headers);
        if (gateway.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, gateway.delayMs));
        const runId = (req.headers['x-run-id'] as string | undefined) ?? url.searchParams.get('runId') ?? undefined;
        if (runId !== undefined && !gateway.runs.has(runId)) return json(404, { error: 'NOT_FOUND', message: `Run ${runId} is not known` });
        if (runId !== undefined && gateway.runs.get(runId)?.completed !== undefined) return json(409, { error: 'CONFLICT', message: `Run ${runId} is already complete` });
        gateway.received.push({ runId, demographicNo, xml: body });
        const previous = seen.get(demographicNo);
        seen.set(demographicNo, body);
        return json(previous === undefined ? 201 : 200, { patientKey: `c:${demographicNo}`, outcome: previous === undefined ? 'created' : previous === body ? 'unchanged' : 'updated', sections: {}, warnings: [] });
      }
      return json(404, { error: 'NOT_FOUND', message: 'no route' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  gateway.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  gateway.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return gateway;
}
