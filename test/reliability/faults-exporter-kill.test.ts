/**
 * Fault: the exporter (a real child process) is killed with SIGKILL mid-run. The next run
 * resumes the same run id from its journal, the real gateway (a child process) accepts the
 * rest, the run completes with the sweep, and the store holds exactly the active patients.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { freePort } from '../../dev/services/mongo';
import { openTestMongo } from '../support/services';
import { trackCase } from './record';
import {
  FULL_RUN, ProcessLog, createFaultClinic, expectNothingLost, endProcesses, exporterEnv, gatewayEnv, journalled, removeFolders, startCli, tempFolder, waitFor, waitReady,
  type FaultClinic,
} from './support-faults';

let clinic: FaultClinic;
let mongo: Awaited<ReturnType<typeof openTestMongo>>;
const log = new ProcessLog();

beforeAll(async () => {
  clinic = await createFaultClinic(__filename, 200, 103);
  mongo = await openTestMongo(__filename);
}, 120_000);

afterAll(async () => {
  await endProcesses();
  await mongo?.drop();
  await clinic?.drop();
  removeFolders();
});

function runIdOf(stateDir: string): string | undefined {
  const state = JSON.parse(readFileSync(path.join(stateDir, 'export-state.json'), 'utf8')) as { inProgress?: { runId: string }; lastSuccess?: { runId: string } };
  return state.inProgress?.runId ?? state.lastSuccess?.runId;
}

test('the exporter killed mid-run: the next run resumes and completes, every active patient stored once and whole', async () => {
  await trackCase('fault', 'exporter killed (SIGKILL) mid-run, next run resumes', async () => {
    const port = await freePort();
    const stateDir = tempFolder('fault-exkill-');
    startCli('gateway', ['gateway', 'start'], gatewayEnv({ port, mongoUrl: mongo.uri, database: mongo.name, stateDir: tempFolder('fault-exkill-gw-') }), log);
    await waitReady(port);
    const env = exporterEnv({ oscarUrl: clinic.url, gatewayPort: port, stateDir });

    const first = startCli('exporter-1', FULL_RUN, env, log);
    const settledAtKill = await waitFor('the exporter to be part-way', () => {
      if (first.child.exitCode !== null) throw new Error(`the exporter ended before it could be killed:\n${log.tail()}`);
      const settled = journalled(stateDir);
      return settled >= 50 ? settled : undefined;
    }, 60_000, 5);
    first.child.kill('SIGKILL');
    expect((await first.exit).signal).toBe('SIGKILL');
    const interruptedRun = runIdOf(stateDir);
    const storedAtKill = await mongo.db.collection('patients').countDocuments({});
    expect(storedAtKill).toBeLessThan(clinic.activeNos.length);

    const second = startCli('exporter-2', FULL_RUN, env, log);
    const exit = await second.exit;
    expect({ exit: exit.code, tail: exit.code === 0 ? '' : log.tail() }).toEqual({ exit: 0, tail: '' });
    expect(second.stdout()).toMatch(/status\s+complete/);
    expect(second.stdout()).toMatch(/run complete\s+sweep done/);
    expect(second.stdout()).toContain(String(interruptedRun));
    expect(log.all()).toMatch(/"msg":"export run resumed"/);

    return await expectNothingLost(mongo.db, clinic, log, `killed after ${settledAtKill} settled (${storedAtKill} stored); resumed the same run; exit 0`);
  });
}, 120_000);
