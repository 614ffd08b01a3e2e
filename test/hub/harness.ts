/**
 * Starts the real hub listener (HTTPS, mutual TLS) on a free loopback port against a test
 * database, and talks to it with node:https using a chosen client certificate.
 */
import https from 'node:https';
import type { Db } from 'mongodb';
import { Writable } from 'node:stream';
import { loadConfig, type SettingName } from '../../core/config/load';
import { createLogger } from '../../core/logger';
import { startHubListener, type HubListener } from '../../gateway/hub/server';
import type { ClientPem, HubTestCerts } from './certs';

/** An answer of the hub. */
export interface HubAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/** A started hub and a client for it. */
export interface TestHub {
  listener: HubListener;
  logLines: string[];
  request(method: string, path: string, body?: unknown, options?: { client?: ClientPem | null; rawBody?: string; contentType?: string }): Promise<HubAnswer>;
  /** Polls a job until it leaves queued/running. */
  settle(id: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  draining: { value: boolean };
}

/** Starts a hub with the test certificates and extra settings. */
export async function startTestHub(db: Db, certs: HubTestCerts, overrides: Partial<Record<SettingName, string>> = {}): Promise<TestHub> {
  const config = loadConfig({
    env: {},
    overrides: { tlsCert: certs.serverCertFile, tlsKey: certs.serverKeyFile, hubCa: certs.caFile, hubHost: '127.0.0.1', hubPort: '0', ...overrides },
  });
  const logLines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      logLines.push(String(chunk));
      callback();
    },
  });
  const draining = { value: false };
  const listener = await startHubListener({ config, db, logger: createLogger({ level: 'info', destination }), isDraining: () => draining.value });
  const request: TestHub['request'] = (method, path, body, options = {}) =>
    new Promise((resolve, reject) => {
      const client = options.client === undefined ? certs.hub : options.client;
      const payload = options.rawBody ?? (body === undefined ? undefined : JSON.stringify(body));
      const req = https.request(
        {
          host: '127.0.0.1',
          port: listener.address.port,
          method,
          path,
          ca: certs.ca,
          ...(client ? { cert: client.cert, key: client.key } : {}),
          agent: false,
          headers: payload === undefined ? {} : { 'content-type': options.contentType ?? 'application/json', 'content-length': Buffer.byteLength(payload) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = JSON.parse(text);
            } catch {
              // not JSON: keep the text
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  const settle: TestHub['settle'] = async (id, timeoutMs = 30000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const answer = await request('GET', `/queries/${id}`);
      const job = answer.body as Record<string, unknown>;
      if (job.status !== 'queued' && job.status !== 'running') return job;
      if (Date.now() > deadline) throw new Error(`query ${id} still ${String(job.status)}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };
  return { listener, logLines, request, settle, draining };
}
