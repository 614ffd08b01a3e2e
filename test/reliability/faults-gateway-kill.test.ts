/**
 * Fault: the gateway is killed with SIGKILL mid-export and the real watchdog
 * (`endpoint watchdog run --supervise`, a child process running the real gateway as its own
 * child) starts it again. Watchdog and exporter share one state folder, as on a box, so the
 * exporter holds the update lock while this happens. The exporter retries through the gap and
 * the run completes with exactly the active patients stored, none half-written.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { WatchdogStatusFile } from '../../core/status-files';
import { freePort } from '../../dev/services/mongo';
import { openTestMongo } from '../support/services';
import { trackCase } from './record';
import {
  CLI, FULL_RUN, ProcessLog, createFaultClinic, expectNothingLost, endProcesses, exporterEnv, gatewayEnv, journalled, removeFolders, startCli, tempFolder, waitFor, waitReady,
  type FaultClinic,
} from './support-faults';

/** Watchdog settings sized for a test (the defaults are minutes). */
const WATCHDOG_SETTINGS: Record<string, string> = {
  ENDPOINT_WATCHDOG_GATEWAY_COMMAND: `node ${CLI} gateway start`,
  ENDPOINT_WATCHDOG_INTERVAL_MS: '200',
  ENDPOINT_WATCHDOG_PROBE_TIMEOUT_MS: '3000',
  ENDPOINT_REQUEST_TIMEOUT_MS: '2500',
  ENDPOINT_WATCHDOG_HUNG_AFTER: '3',
  ENDPOINT_WATCHDOG_GRACE_MS: '10000',
  ENDPOINT_WATCHDOG_DRAIN_DEADLINE_MS: '3000',
  ENDPOINT_SHUTDOWN_DEADLINE_MS: '2000',
  ENDPOINT_WATCHDOG_REPORT_WAIT_MS: '1000',
  ENDPOINT_WATCHDOG_BACKOFF_INITIAL_MS: '300',
  ENDPOINT_WATCHDOG_BACKOFF_MAX_MS: '1200',
  ENDPOINT_WATCHDOG_BACKOFF_RESET_MS: '5000',
  ENDPOINT_WATCHDOG_MAX_RESTARTS: '5',
  ENDPOINT_WATCHDOG_RESTART_WINDOW_MS: '60000',
};

let clinic: FaultClinic;
let mongo: Awaited<ReturnType<typeof openTestMongo>>;
const log = new ProcessLog();
const gatewayPids = new Set<number>();

beforeAll(async () => {
  clinic = await createFaultClinic(__filename, 200, 102);
  mongo = await openTestMongo(__filename);
}, 120_000);

afterAll(async () => {
  await endProcesses([...gatewayPids]);
  await mongo?.drop();
  await clinic?.drop();
  removeFolders();
});

function gatewayPid(stateDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(path.join(stateDir, 'gateway.pid'), 'utf8').trim());
    if (pid > 0) gatewayPids.add(pid);
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function watchdogStatus(stateDir: string): WatchdogStatusFile | undefined {
  try {
    return JSON.parse(readFileSync(path.join(stateDir, 'watchdog-status.json'), 'utf8')) as WatchdogStatusFile;
  } catch {
    return undefined;
  }
}

test('the gateway killed -9 mid-run and restarted by the watchdog: the run completes, every active patient stored once and whole', async () => {
  await trackCase('fault', 'gateway killed -9 mid-run, restarted by the watchdog', async () => {
    const port = await freePort();
    const stateDir = tempFolder('fault-gwkill-');
    const env = { ...gatewayEnv({ port, mongoUrl: mongo.uri, database: mongo.name, stateDir }), ...WATCHDOG_SETTINGS };
    startCli('watchdog', ['watchdog', 'run', '--supervise'], env, log);
    await waitReady(port);
    await waitFor('the watchdog to call the gateway healthy', () => watchdogStatus(stateDir)?.state === 'healthy');
    const firstPid = await waitFor('the gateway pid file', () => gatewayPid(stateDir));

    const exporter = startCli('exporter', FULL_RUN, exporterEnv({ oscarUrl: clinic.url, gatewayPort: port, stateDir }), log);
    const settledAtKill = await waitFor('the exporter to be part-way', () => {
      if (exporter.child.exitCode !== null) throw new Error(`the exporter ended before the gateway was killed:\n${log.tail()}`);
      const settled = journalled(stateDir);
      return settled >= 50 ? settled : undefined;
    }, 60_000, 5);
    const killedAt = Date.now();
    process.kill(firstPid, 'SIGKILL');
    const secondPid = await waitFor('a new gateway process', () => {
      const pid = gatewayPid(stateDir);
      return pid !== undefined && pid !== firstPid ? pid : undefined;
    }, 20_000);
    await waitReady(port);
    const servingAfterMs = Date.now() - killedAt;

    const exit = await exporter.exit;
    expect({ exit: exit.code, tail: exit.code === 0 ? '' : log.tail() }).toEqual({ exit: 0, tail: '' });
    expect(exporter.stdout()).toMatch(/status\s+complete/);
    expect(exporter.stdout()).toMatch(/run complete\s+sweep done/);
    expect(secondPid).not.toBe(firstPid);
    const status = await waitFor('the watchdog to call the gateway healthy again', () => {
      const now = watchdogStatus(stateDir);
      return now?.state === 'healthy' && now.restarts.length > 0 ? now : undefined;
    });
    expect(status.restarts).toHaveLength(1);
    expect(status.lastRestartReason).toMatch(/^(the gateway process exited \(signal SIGKILL\)|livez (refused|failed): \/livez: ECONN(REFUSED|RESET))$/);

    return await expectNothingLost(mongo.db, clinic, log, `killed after ${settledAtKill} settled; serving again after ${servingAfterMs} ms; 1 watchdog restart; exit 0`);
  });
}, 120_000);
