/**
 * Issue 15, item 11 (circuit breaker): the store goes away for good in the middle of a full run.
 * The real gateway (a child process) reaches MongoDB through a TCP proxy the test cuts; the real
 * exporter (a child process) stops the run once the gateway has accepted nothing for
 * ENDPOINT_EXPORT_OUTAGE_SECONDS, with a sentence saying why, instead of retrying every patient
 * for hours while it holds the update lock; once the store is back the next run resumes and ends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createTestClinic, type TestClinic } from '../exporter/support';
import { testMongoUri, uniqueDatabaseName } from '../support/services';
import { waitFor } from '../support/wait';
import { freePort } from '../updater/testbed';
import { MongoClient } from 'mongodb';

jest.setTimeout(600_000);

/** ENDPOINT_TEST_FIGURES=1: the outage limit at its default (300 s), for the figure; otherwise 5 s. */
const FIGURES = process.env.ENDPOINT_TEST_FIGURES === '1';

const CLI = path.join(__dirname, '..', '..', 'dist', 'cli', 'main.js');

/** A TCP proxy to the test's MongoDB that can be cut (connections dropped, nothing listening) and opened again. */
class StoreLink {
  private server?: net.Server;
  private readonly sockets = new Set<net.Socket>();

  constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  async open(): Promise<void> {
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.target.port, this.target.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
  }

  cut(): void {
    this.server?.close();
    for (const socket of this.sockets) socket.destroy();
  }
}

let clinic: TestClinic;
let root: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  clinic = await createTestClinic(__filename, 300);
}, 180_000);
afterAll(async () => {
  await clinic?.drop();
});
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'store-outage-'));
});
afterEach(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

function start(
  args: string[],
  env: Record<string, string>,
): ChildProcess & { output: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  children.push(child);
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return Object.assign(child, { output: () => output, exit });
}

function settled(stateDir: string): number {
  const journal = path.join(stateDir, 'export-run.journal');
  return existsSync(journal)
    ? readFileSync(journal, 'utf8')
        .split('\n')
        .filter((line) => /^\d+ /.test(line)).length
    : 0;
}

test('the store lost for good mid-run: the export stops within the outage limit with a clear message; the next run resumes', async () => {
  const mongo = new URL(testMongoUri());
  const link = new StoreLink(await freePort(), { host: mongo.hostname, port: Number(mongo.port || 27017) });
  await link.open();
  const database = uniqueDatabaseName(__filename);
  const storeUrl = new URL(testMongoUri());
  storeUrl.host = `127.0.0.1:${link.port}`;
  const gatewayPort = await freePort();
  const token = 'outage-ingest';
  const gateway = start(['gateway', 'start'], {
    ENDPOINT_GATEWAY_HOST: '127.0.0.1',
    ENDPOINT_GATEWAY_PORT: String(gatewayPort),
    ENDPOINT_MONGODB_URL: storeUrl.toString(),
    ENDPOINT_MONGODB_DATABASE: database,
    ENDPOINT_MONGODB_TIMEOUT_MS: '1000',
    ENDPOINT_RETRY_AFTER_SECONDS: '1',
    ENDPOINT_INGEST_TOKEN: token,
    ENDPOINT_ADMIN_TOKEN: 'outage-admin',
    ENDPOINT_HMAC_SECRET: 'outage-hmac',
    ENDPOINT_STATE_DIR: path.join(root, 'gateway'),
    ENDPOINT_LOG_LEVEL: 'warn',
  });
  await waitFor(
    'the gateway ready',
    async () => (await fetch(`http://127.0.0.1:${gatewayPort}/readyz`).catch(() => undefined))?.status === 200,
    30_000,
    100,
  );

  const exporterState = path.join(root, 'exporter');
  const exporterEnv = {
    ENDPOINT_OSCAR_URL: clinic.url,
    ENDPOINT_ALLOW_WRITABLE_ACCOUNT: 'true',
    ENDPOINT_GATEWAY_URL: `http://127.0.0.1:${gatewayPort}`,
    ENDPOINT_INGEST_TOKEN: token,
    ENDPOINT_STATE_DIR: exporterState,
    ENDPOINT_EXPORT_BATCH_SIZE: '25',
    ENDPOINT_EXPORT_CONCURRENCY: '2',
    ENDPOINT_EXPORT_RETRY_BASE_MS: '200',
    ...(FIGURES ? {} : { ENDPOINT_EXPORT_OUTAGE_SECONDS: '5' }),
    ENDPOINT_LOG_LEVEL: 'warn',
  };
  const exporter = start(['export', 'run', '--full'], exporterEnv);
  await waitFor(
    'the export part-way',
    () => (exporter.exitCode === null ? settled(exporterState) >= 30 : Promise.reject(new Error(exporter.output()))),
    120_000,
    10,
  );
  link.cut();
  const lostAt = Date.now();
  const code = await exporter.exit;
  const stoppedAfterMs = Date.now() - lostAt;
  expect(code).toBe(1);
  expect(exporter.output()).toMatch(
    new RegExp(
      `status +failed — stopped: the gateway at http://127\\.0\\.0\\.1:${gatewayPort} has accepted nothing for \\d+ s \\(last answer HTTP 503 STORE_UNAVAILABLE: its MongoDB store is unavailable\\); \\d+ of \\d+ patients settled, the next run resumes with the rest`,
    ),
  );
  // The outage limit (5 s) plus at most one request in flight and the run's wind-down.
  expect(stoppedAfterMs).toBeLessThan(FIGURES ? 330_000 : 30_000);
  expect(gateway.exitCode).toBeNull();
  process.stdout.write(
    `[figure] store lost -> export run stopped with its message (ENDPOINT_EXPORT_OUTAGE_SECONDS=5): ${stoppedAfterMs} ms\n`,
  );

  // The store is back: the next run resumes where this one stopped and completes.
  await link.open();
  await waitFor(
    'the gateway ready again',
    async () => (await fetch(`http://127.0.0.1:${gatewayPort}/readyz`).catch(() => undefined))?.status === 200,
    30_000,
    100,
  );
  const next = start(['export', 'run', '--full'], exporterEnv);
  expect(await next.exit).toBe(0);
  expect(next.output()).toMatch(/status +complete/);
  link.cut();
  const client = await MongoClient.connect(testMongoUri());
  await client
    .db(database)
    .dropDatabase()
    .catch(() => undefined);
  await client.close();
});
