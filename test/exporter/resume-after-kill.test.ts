/**
 * Killing the exporter mid-run (a real child process, SIGKILL) and running it again: the second
 * run resumes the same run id and does not re-send the patients the gateway had acknowledged
 * (the journal), and in the end every active patient arrived. Gateway: the loopback test server.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ExportState } from '../../exporter/run/state';
import { createTestClinic, startTestGateway, type TestClinic, type TestGateway } from './support';

const CLI = path.join(__dirname, '..', '..', 'dist', 'cli', 'main.js');

let clinic: TestClinic;
let gateway: TestGateway;
let stateDir: string;

beforeAll(async () => {
  clinic = await createTestClinic(__filename, 300);
  gateway = await startTestGateway();
  stateDir = mkdtempSync(path.join(os.tmpdir(), 'export-kill-'));
}, 180_000);

afterAll(async () => {
  await gateway?.close();
  await clinic?.drop();
  rmSync(stateDir, { recursive: true, force: true });
});

function exporter(): ReturnType<typeof spawn> {
  return spawn('node', [CLI, 'export', 'run', '--full', '--allow-writable-account'], {
    env: {
      ...process.env, ENDPOINT_OSCAR_URL: clinic.url, ENDPOINT_STATE_DIR: stateDir, ENDPOINT_GATEWAY_URL: gateway.url, ENDPOINT_INGEST_TOKEN: gateway.token,
      ENDPOINT_EXPORT_BATCH_SIZE: '40', ENDPOINT_EXPORT_CONCURRENCY: '2', ENDPOINT_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function exitOf(child: ReturnType<typeof spawn>): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

test('SIGKILL mid-run, then run again: resumes, sends only what was not acknowledged, everyone arrives', async () => {
  gateway.delayMs = 15;
  const first = exporter();
  const firstExit = exitOf(first);
  while (gateway.received.length < 80) {
    if (first.exitCode !== null) throw new Error('the exporter ended before it could be killed');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  first.kill('SIGKILL');
  expect((await firstExit).signal).toBe('SIGKILL');

  const state = new ExportState(stateDir);
  const interrupted = state.read().inProgress;
  expect(interrupted?.mode).toBe('full');
  const acknowledged = [...state.readJournal(interrupted?.runId ?? '').keys()].map(String);
  expect(acknowledged.length).toBeGreaterThanOrEqual(60);
  expect(readFileSync(path.join(stateDir, 'export-status.json'), 'utf8')).toContain('"status": "running"');

  const firstReceived = gateway.received.length;
  gateway.delayMs = 0;
  const second = exporter();
  let stdout = '';
  second.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  expect((await exitOf(second)).code).toBe(0);

  const resent = gateway.received.slice(firstReceived);
  expect(new Set(resent.map((doc) => doc.runId))).toEqual(new Set([interrupted?.runId]));
  const resentNos = new Set(resent.map((doc) => doc.demographicNo));
  expect(acknowledged.filter((no) => resentNos.has(no))).toEqual([]);
  const everyone = new Set(gateway.received.map((doc) => doc.demographicNo));
  expect(everyone.size).toBe(clinic.summary.activePatients);
  expect(gateway.runs.get(interrupted?.runId ?? '')?.completed).toBe(clinic.summary.activePatients);
  expect(state.read().inProgress).toBeUndefined();
  expect(stdout).toMatch(/status\s+complete/);
}, 120_000);
