/**
 * The real `endpoint gateway start` in a child process (built dist/): it refuses to start
 * without the HMAC secret, and on SIGTERM it stops accepting connections, finishes the
 * request in flight (a document still being uploaded) and exits 0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { freePort } from '../../dev/services/mongo';
import { openTestMongo } from '../support/services';
import { CHAN, TEST_SECRETS, sampleXml } from './support';

const CLI = path.resolve(__dirname, '../../dist/cli/main.js');
let mongo: Awaited<ReturnType<typeof openTestMongo>>;

beforeAll(async () => {
  mongo = await openTestMongo(__filename);
});
afterAll(async () => {
  await mongo.drop();
});

function gatewayEnv(port: number, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('ENDPOINT_') && key !== 'MONGODB_URI'));
  return {
    ...env,
    ENDPOINT_MONGODB_URL: mongo.uri,
    ENDPOINT_MONGODB_DATABASE: mongo.name,
    ENDPOINT_GATEWAY_PORT: String(port),
    ENDPOINT_CLINIC_ID: 'shutdown-clinic',
    ENDPOINT_INGEST_TOKEN: TEST_SECRETS.ingestToken,
    ENDPOINT_ADMIN_TOKEN: TEST_SECRETS.adminToken,
    ENDPOINT_HMAC_SECRET: TEST_SECRETS.hmacSecret,
    ENDPOINT_SHUTDOWN_DEADLINE_MS: '8000',
    ENDPOINT_LOG_LEVEL: 'warn',
    ...extra,
  };
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));
}

test('the built CLI exists (run `npx tsc -p tsconfig.build.json` first)', () => {
  expect(existsSync(CLI)).toBe(true);
});

test('start fails fast, naming the variable, without the HMAC secret', async () => {
  const child = spawn(process.execPath, [CLI, 'gateway', 'start'], { env: gatewayEnv(await freePort(), { ENDPOINT_HMAC_SECRET: '' }), stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  expect(await exitOf(child)).toBe(1);
  expect(stderr).toContain('ENDPOINT_HMAC_SECRET');
});

test('SIGTERM finishes the upload in flight, refuses new connections and exits 0', async () => {
  const port = await freePort();
  const child = spawn(process.execPath, [CLI, 'gateway', 'start'], { env: gatewayEnv(port), stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    for (let i = 0; ; i += 1) {
      const live = await fetch(`http://127.0.0.1:${port}/livez`).then((r) => r.status, () => 0);
      if (live === 200) break;
      if (i > 200 || child.exitCode !== null) throw new Error('gateway did not start');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const body = Buffer.from(sampleXml(CHAN, '77'));
    const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const request = http.request(
        { host: '127.0.0.1', port, method: 'POST', path: '/records', headers: { 'content-type': 'application/xml', 'content-length': body.length, authorization: `Bearer ${TEST_SECRETS.ingestToken}` } },
        (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString()));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
        },
      );
      request.on('error', reject);
      request.write(body.subarray(0, 1000));
      setTimeout(() => {
        child.kill('SIGTERM');
        setTimeout(() => request.end(body.subarray(1000)), 500);
      }, 200);
    });
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect(await fetch(`http://127.0.0.1:${port}/livez`).then((r) => r.status, () => 'refused')).toBe('refused');
    const finished = await answer;
    expect(finished.status).toBe(201);
    expect(JSON.parse(finished.text)).toMatchObject({ patientKey: 'shutdown-clinic:77', outcome: 'created' });
    expect(await exitOf(child)).toBe(0);
    expect(await mongo.db.collection('patients').countDocuments({ _id: 'shutdown-clinic:77' as never })).toBe(1);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}, 60000);
