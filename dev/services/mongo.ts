/**
 * Finds or starts a MongoDB-wire server for tests, the demo and benchmarks, in this order:
 * `ENDPOINT_MONGODB_URL`/`MONGODB_URI` if set; else mongodb-memory-server (a real mongod);
 * else FerretDB 1.24 built into `.tools/bin` by `scripts/setup-ferretdb.sh`, started on a free
 * loopback port with the SQLite backend. Production always names its MongoDB in config.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { MongoClient } from 'mongodb';
import { EndpointError, describeError } from '../../core/errors';
import { PROJECT_ROOT, TOOLS_DIR } from '../../core/paths';

/** Which kind of server is serving. */
export type MongoServerKind = 'configured' | 'mongodb-memory-server' | 'ferretdb';

/** A running (or configured) Mongo-wire server. */
export interface MongoServer {
  uri: string;
  kind: MongoServerKind;
  /** Stops a server this module started; a no-op for a configured one. */
  stop(): Promise<void>;
}

const FERRETDB_BIN = path.join(TOOLS_DIR, 'bin', 'ferretdb');
const MEMORY_SERVER_FAILED = path.join(TOOLS_DIR, 'memory-server-unavailable');
const MEMORY_SERVER_RETRY_MS = 24 * 3600 * 1000;

/** A free TCP port on the loopback interface. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Waits until a Mongo-wire server at `uri` answers a ping, or throws after `timeoutMs`. */
export async function waitForMongo(uri: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    const client = new MongoClient(uri, { serverSelectionTimeoutMS: 1000, connectTimeoutMS: 1000 });
    try {
      await client.connect();
      await client.db('admin').command({ ping: 1 });
      return;
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      await client.close().catch(() => undefined);
    }
  }
  throw new EndpointError('SERVICE_UNAVAILABLE', `No MongoDB-wire server answered at ${redactUri(uri)}: ${describeError(lastError)}.`);
}

/** A connection string with its password hidden, for messages. */
export function redactUri(uri: string): string {
  return uri.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

async function tryMemoryServer(): Promise<MongoServer | undefined> {
  if (existsSync(MEMORY_SERVER_FAILED)) {
    const failedAt = Number(readFileSync(MEMORY_SERVER_FAILED, 'utf8'));
    if (Date.now() - failedAt < MEMORY_SERVER_RETRY_MS) return undefined;
  }
  try {
    const { MongoMemoryServer } = await import('mongodb-memory-server');
    const server = await MongoMemoryServer.create({ instance: { ip: '127.0.0.1' } });
    return { uri: server.getUri(), kind: 'mongodb-memory-server', stop: async () => void (await server.stop()) };
  } catch {
    // Offline: no mongod binary can be downloaded. Remember for a day, then try again.
    mkdirSync(TOOLS_DIR, { recursive: true });
    writeFileSync(MEMORY_SERVER_FAILED, String(Date.now()));
    return undefined;
  }
}

/**
 * Makes sure the FerretDB binary exists and is the project's build (the setup script is
 * idempotent and answers at once when the binary is current), building it if not.
 */
export async function ensureFerretDbBinary(): Promise<string> {
  const script = path.join(PROJECT_ROOT, 'scripts', 'setup-ferretdb.sh');
  try {
    await promisify(execFile)('bash', [script], { timeout: 15 * 60 * 1000, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    throw new EndpointError(
      'DEPENDENCY_MISSING',
      `No MongoDB server is configured and FerretDB could not be installed (scripts/setup-ferretdb.sh: ${describeError(error).split('\n').slice(-2).join(' ')}); set MONGODB_URI to a MongoDB server.`,
    );
  }
  return FERRETDB_BIN;
}

/** Starts a FerretDB (SQLite backend) of its own on a free loopback port; tests that stop the store use this. */
export async function startFerretDb(): Promise<MongoServer> {
  const bin = await ensureFerretDbBinary();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'e2e-ferretdb-'));
  const port = await freePort();
  const child: ChildProcess = spawn(
    bin,
    [
      '--handler=sqlite',
      `--sqlite-url=file:${dataDir}/`,
      `--state-dir=${dataDir}`,
      `--listen-addr=127.0.0.1:${port}`,
      '--debug-addr=127.0.0.1:0',
      '--telemetry=disable',
      '--log-level=error',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], detached: false },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  const uri = `mongodb://127.0.0.1:${port}/`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitForMongo(uri, 20000);
  } catch (error) {
    await stop();
    throw new EndpointError('SERVICE_UNAVAILABLE', `FerretDB did not start: ${stderr.trim() || describeError(error)}`);
  }
  return { uri, kind: 'ferretdb', stop };
}

/**
 * Returns a Mongo-wire server: the configured one, or one started here; its `kind` says
 * which (the callers log it).
 */
export async function findOrStartMongo(configuredUri?: string): Promise<MongoServer> {
  const uri = configuredUri ?? process.env.ENDPOINT_MONGODB_URL ?? process.env.MONGODB_URI;
  if (uri !== undefined && uri !== '') {
    await waitForMongo(uri, 10000);
    return { uri, kind: 'configured', stop: async () => undefined };
  }
  return (await tryMemoryServer()) ?? (await startFerretDb());
}
