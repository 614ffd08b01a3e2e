/**
 * Issue 15, items 5 and 11 (messages): the production gateway (`endpoint gateway start`, the
 * unit's command, a real child process) refuses to start without ENDPOINT_MONGODB_URL instead of
 * downloading mongod or building FerretDB inside the release, and the admin commands say the
 * README's sentence when the gateway is down instead of `internal error: fetch failed`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../updater/testbed';

const CLI = path.join(__dirname, '..', '..', 'dist', 'cli', 'main.js');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'gateway-start-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The environment of a box: secrets set, nothing else inherited (no MONGODB_URI from the test run). */
function boxEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: dir,
    NODE_ENV: 'production',
    ENDPOINT_STATE_DIR: path.join(dir, 'state'),
    ENDPOINT_INGEST_TOKEN: 'i',
    ENDPOINT_ADMIN_TOKEN: 'a',
    ENDPOINT_HMAC_SECRET: 'h',
    ...extra,
  };
}

test('gateway start without ENDPOINT_MONGODB_URL: refused at once with the sentence, no throw-away store started', () => {
  const started = Date.now();
  const result = spawnSync(process.execPath, [CLI, 'gateway', 'start'], {
    env: boxEnv({ ENDPOINT_GATEWAY_PORT: '0' }),
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(result.status).toBe(1);
  expect(result.stderr).toBe(
    'endpoint gateway: ENDPOINT_MONGODB_URL is not set; the gateway keeps its records in the MongoDB it names (e.g. mongodb://127.0.0.1:27017/). Set it in the env file; only the demo (npm run demo) starts a throw-away store by itself.\n',
  );
  expect(Date.now() - started).toBeLessThan(10_000);
  // Nothing was downloaded or built where it runs.
  expect(readdirSync(dir).filter((name) => name !== 'state')).toEqual([]);
});

test('gateway status with no gateway running: the README sentence, not "internal error: fetch failed"', async () => {
  const port = await freePort();
  const result = spawnSync(process.execPath, [CLI, 'gateway', 'status', '--url', `http://127.0.0.1:${port}`], {
    env: boxEnv(),
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(result.status).toBe(1);
  expect(result.stderr).toBe(
    `endpoint gateway: The gateway at http://127.0.0.1:${port} does not answer (ECONNREFUSED); is it running?\n`,
  );
});
