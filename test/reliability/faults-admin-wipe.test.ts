/**
 * Fault: admin actions during an export (issue 19, items 1–3). The real gateway (a child process,
 * with its HTTPS hub listener) and the real exporter (a child process) on a synthetic clinic:
 * three times, a full export is under way when a re-import and a wipe of all records are asked for.
 * Each time nothing is written after the wipe answered, the exporter exits non-zero without
 * recording a success or moving its watermark, and `check export` is CRITICAL. Then `--since last`
 * runs full and stores exactly the active patients, each whole with its source and receipt, and the
 * hub counts what the store holds; a wipe between two runs makes the next `--since last` full too.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Db } from 'mongodb';
import { freePort } from '../../dev/services/mongo';
import { makeHubTestCerts, type HubTestCerts } from '../hub/certs';
import { openTestMongo } from '../support/services';
import { trackCase } from './record';
import {
  FAULT_CLINIC_ID,
  FAULT_SECRETS,
  FULL_RUN,
  ProcessLog,
  checkStore,
  createFaultClinic,
  endProcesses,
  expectNothingLost,
  exporterEnv,
  gatewayEnv,
  journalled,
  removeFolders,
  sleep,
  startCli,
  tempFolder,
  waitFor,
  waitReady,
  type FaultClinic,
} from './support-faults';
import { EVERY_PATIENT, closeHubAgents, hubTotal } from './support-hub';

const SINCE_LAST = ['export', 'run', '--since', 'last', '--allow-writable-account'];
/** Patients the exporter has settled in a run before the admin acts. */
const SETTLED_BEFORE_WIPE = 60;

let clinic: FaultClinic;
let mongo: Awaited<ReturnType<typeof openTestMongo>>;
let certs: HubTestCerts;
const log = new ProcessLog();

beforeAll(async () => {
  clinic = await createFaultClinic(__filename, 300, 191);
  mongo = await openTestMongo(__filename);
  certs = makeHubTestCerts();
}, 180_000);

afterAll(async () => {
  closeHubAgents();
  await endProcesses();
  await mongo?.drop();
  await clinic?.drop();
  certs?.remove();
  removeFolders();
});

/** Calls an admin route of the gateway on `port`. */
async function admin(
  port: number,
  method: string,
  route: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const answer = await fetch(`http://127.0.0.1:${port}${route}`, {
    method,
    headers: { authorization: `Bearer ${FAULT_SECRETS.ENDPOINT_ADMIN_TOKEN}` },
  });
  return { status: answer.status, body: (await answer.json()) as Record<string, unknown> };
}

/** Documents of the clinic in the three collections a patient is written to. */
async function storedCounts(db: Db): Promise<{ patients: number; sources: number; receipts: number }> {
  const [patients, sources, receipts] = await Promise.all(
    ['patients', 'sources', 'receipts'].map((name) =>
      db.collection(name).countDocuments({ clinicId: FAULT_CLINIC_ID }),
    ),
  );
  return { patients, sources, receipts };
}

interface ExporterFiles {
  state: {
    lastSuccess?: { runId: string; watermark: string; storeGeneration?: number };
    inProgress?: unknown;
    storeWiped?: boolean;
  };
  status: { lastRun?: { status: string; error?: string }; lastSuccess?: { runId: string } };
}

function exporterFiles(stateDir: string): ExporterFiles {
  const read = (name: string): Record<string, unknown> =>
    JSON.parse(readFileSync(path.join(stateDir, name), 'utf8')) as Record<string, unknown>;
  return {
    state: read('export-state.json') as ExporterFiles['state'],
    status: read('export-status.json') as ExporterFiles['status'],
  };
}

/** `endpoint check export` against the exporter's state folder: its exit code and line. */
async function checkExport(stateDir: string): Promise<{ code: number | null; line: string }> {
  const check = startCli('check-export', ['check', 'export'], { ENDPOINT_STATE_DIR: stateDir }, log);
  const exit = await check.exit;
  return { code: exit.code, line: check.stdout().trim() };
}

test('wipes and re-imports during full exports: nothing written after a wipe, the exporter honest, then every patient whole and counted alike', async () => {
  await trackCase('fault', 'wipes and re-imports interleaved with full exports', async () => {
    const port = await freePort();
    const hubPort = await freePort();
    const exporterState = tempFolder('fault-wipe-ex-');
    const tls = {
      ENDPOINT_TLS_CERT: certs.serverCertFile,
      ENDPOINT_TLS_KEY: certs.serverKeyFile,
      ENDPOINT_HUB_CA: certs.caFile,
      ENDPOINT_HUB_HOST: '127.0.0.1',
      ENDPOINT_HUB_PORT: String(hubPort),
      ENDPOINT_HUB_ALLOWED_SUBJECTS: 'research-hub',
      ENDPOINT_MIN_CELL_SIZE: '1',
    };
    startCli(
      'gateway',
      ['gateway', 'start'],
      gatewayEnv({
        port,
        mongoUrl: mongo.uri,
        database: mongo.name,
        stateDir: tempFolder('fault-wipe-gw-'),
        extra: tls,
      }),
      log,
    );
    await waitReady(port);
    const env = exporterEnv({ oscarUrl: clinic.url, gatewayPort: port, stateDir: exporterState });
    const figures: string[] = [];

    for (let round = 1; round <= 3; round++) {
      const exporter = startCli(`exporter-${round}`, FULL_RUN, env, log);
      const settled = await waitFor(
        `round ${round}: the exporter part-way`,
        () => {
          if (exporter.child.exitCode !== null) throw new Error(`the exporter ended before the wipe:\n${log.tail()}`);
          const count = journalled(exporterState);
          return count >= SETTLED_BEFORE_WIPE ? count : undefined;
        },
        60_000,
        5,
      );
      const reimport = await admin(port, 'POST', '/admin/reimport');
      expect(reimport.status).toBe(202);
      const wipeStarted = performance.now();
      const wiped = await admin(port, 'DELETE', '/records?confirm=wipe-all-records');
      const wipeMs = Math.round(performance.now() - wipeStarted);
      expect(wiped).toMatchObject({ status: 200, body: { wiped: true, runsCut: 1 } });
      // Nothing lands after the wipe answered: not the exporter's documents in flight, not the re-import.
      expect(await storedCounts(mongo.db)).toEqual({ patients: 0, sources: 0, receipts: 0 });
      const exit = await exporter.exit;
      await sleep(500);
      expect(await storedCounts(mongo.db)).toEqual({ patients: 0, sources: 0, receipts: 0 });

      expect({ round, exit: exit.code }).toEqual({ round, exit: 1 });
      const files = exporterFiles(exporterState);
      expect(files.state.lastSuccess).toBeUndefined();
      expect(files.state.inProgress).toBeUndefined();
      expect(files.state.storeWiped).toBe(true);
      expect(files.status.lastSuccess).toBeUndefined();
      expect(files.status.lastRun).toMatchObject({ status: 'failed', error: expect.stringMatching(/^RUN_CUT: /) });
      const check = await checkExport(exporterState);
      expect(check).toMatchObject({
        code: 2,
        line: expect.stringMatching(/^EXPORT CRITICAL: the gateway cut the last export run/),
      });

      const status = (await (await fetch(`http://127.0.0.1:${port}/status`)).json()) as {
        patientCount: number;
        reimport: { state: string };
      };
      expect(status.patientCount).toBe(0);
      expect(['cancelled', 'done']).toContain(status.reimport.state);
      expect(await hubTotal(hubPort, certs, EVERY_PATIENT)).toBe(0);
      figures.push(
        `round ${round}: wipe after ${settled} settled took ${wipeMs} ms, re-import ${status.reimport.state}`,
      );
    }

    // The next nightly run is full (the store was wiped), and leaves every active patient whole.
    const next = startCli('exporter-since-last', SINCE_LAST, env, log);
    const nextExit = await next.exit;
    expect({ exit: nextExit.code, tail: nextExit.code === 0 ? '' : log.tail() }).toEqual({ exit: 0, tail: '' });
    expect(next.stdout()).toMatch(/run complete\s+sweep done/);
    const afterFull = await expectNothingLost(mongo.db, clinic, log, '');
    const hubCount = await hubTotal(hubPort, certs, EVERY_PATIENT);
    const status = (await (await fetch(`http://127.0.0.1:${port}/status`)).json()) as { patientCount: number };
    expect({ hub: hubCount, status: status.patientCount }).toEqual({
      hub: clinic.activeNos.length,
      status: clinic.activeNos.length,
    });
    const success = exporterFiles(exporterState).state.lastSuccess;
    expect(success?.storeGeneration).toBe(3);
    expect((await checkExport(exporterState)).code).toBe(0);

    // A wipe between two runs: the next `--since last` finds another store generation and runs full.
    expect((await admin(port, 'DELETE', '/records?confirm=wipe-all-records')).body).toMatchObject({
      wiped: true,
      runsCut: 0,
      storeGeneration: 4,
    });
    const after = startCli('exporter-after-wipe', SINCE_LAST, env, log);
    expect((await after.exit).code).toBe(0);
    expect(log.all()).toContain("the gateway's store was wiped since the last successful run; running a full export");
    const store = await checkStore(mongo.db, clinic.activeNos);
    expect(store).toMatchObject({ present: clinic.activeNos.length, missing: 0, extra: 0, halfWritten: 0 });
    expect(await hubTotal(hubPort, certs, EVERY_PATIENT)).toBe(clinic.activeNos.length);
    expect(exporterFiles(exporterState).state.lastSuccess?.storeGeneration).toBe(4);
    return {
      ...afterFull,
      detail: `${figures.join('; ')}; then --since last ran full: ${afterFull.patientsPresent} whole, hub ${hubCount}`,
    };
  });
}, 300_000);
