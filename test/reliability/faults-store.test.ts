/**
 * Fault: the Mongo-wire server is killed (SIGKILL) during a full export and started again on
 * the same data and port. The gateway (a real child process) answers 503 while the store is
 * away and serves again when it is back; the exporter (a real child process) retries, and the
 * run completes with exactly the clinic's active patients stored, none half-written.
 */
import { MongoClient } from 'mongodb';
import { freePort } from '../../dev/services/mongo';
import { trackCase } from './record';
import {
  FULL_RUN, OwnFerretDb, ProcessLog, createFaultClinic, expectNothingLost, endProcesses, exporterEnv, gatewayEnv, journalled, removeFolders, sleep, startCli, tempFolder, waitFor, waitReady,
  type FaultClinic,
} from './support-faults';

const DATABASE = 'faults_store';
let clinic: FaultClinic;
let ferret: OwnFerretDb;
const log = new ProcessLog();

beforeAll(async () => {
  clinic = await createFaultClinic(__filename, 200, 101);
  ferret = await OwnFerretDb.start();
}, 120_000);

afterAll(async () => {
  await endProcesses();
  await clinic?.drop();
  removeFolders();
});

test('the Mongo-wire server stopped mid-run and started again: the run completes, every active patient stored once and whole', async () => {
  await trackCase('fault', 'Mongo-wire server killed mid-run and restarted', async () => {
    const port = await freePort();
    const gatewayState = tempFolder('fault-store-gw-');
    const exporterState = tempFolder('fault-store-ex-');
    startCli('gateway', ['gateway', 'start'], gatewayEnv({ port, mongoUrl: ferret.uri, database: DATABASE, stateDir: gatewayState }), log);
    await waitReady(port);

    const exporter = startCli('exporter', FULL_RUN, exporterEnv({ oscarUrl: clinic.url, gatewayPort: port, stateDir: exporterState }), log);
    const settledAtKill = await waitFor('the exporter to be part-way', () => {
      if (exporter.child.exitCode !== null) throw new Error(`the exporter ended before the store was stopped:\n${log.tail()}`);
      const settled = journalled(exporterState);
      return settled >= 30 ? settled : undefined;
    }, 60_000, 10);
    await ferret.kill();
    const downAt = Date.now();
    // While the store is away the gateway says so (503 on readyz) and stays alive.
    const readyWhileDown = await waitFor('readyz 503 while the store is away', async () => {
      const answer = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(3000) }).catch(() => undefined);
      return answer?.status === 503 ? answer.status : undefined;
    }, 10_000, 100);
    const settledWhileDown = journalled(exporterState);
    await sleep(Math.max(0, 2500 - (Date.now() - downAt)));
    const stillRunning = exporter.child.exitCode === null;
    await ferret.startAgain();
    const outageMs = Date.now() - downAt;

    const exit = await exporter.exit;
    expect({ exit: exit.code, tail: exit.code === 0 ? '' : log.tail() }).toEqual({ exit: 0, tail: '' });
    expect(readyWhileDown).toBe(503);
    expect(stillRunning).toBe(true);
    expect(exporter.stdout()).toMatch(/status\s+complete/);
    expect(exporter.stdout()).toMatch(/run complete\s+sweep done/);

    const client = await MongoClient.connect(ferret.uri);
    try {
      return await expectNothingLost(client.db(DATABASE), clinic, log, `store down ${outageMs} ms after ${settledAtKill} settled (${settledWhileDown} while down); run exit 0`);
    } finally {
      await client.close();
    }
  });
}, 120_000);
