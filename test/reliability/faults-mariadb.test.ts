/**
 * Fault: the exporter's MariaDB connection is killed (`KILL <id>` from a root connection,
 * found in information_schema.PROCESSLIST by its database) while it reads batches. The
 * exporter reconnects, opens a new read-only snapshot, reads the batch again and the run
 * completes; the real gateway's store holds exactly the active patients, none half-written.
 * Killed again and again, the exporter gives up after its bounded reconnections with a clear
 * message, and the next run resumes and completes.
 */
import mysql from 'mysql2/promise';
import { freePort } from '../../dev/services/mongo';
import { openTestMongo, testOscarServerUrl } from '../support/services';
import { trackCase } from './record';
import {
  FULL_RUN, ProcessLog, expectNothingLost, checkStore, createFaultClinic, endProcesses, exporterEnv, gatewayEnv, journalled, removeFolders, sleep, startCli, tempFolder, waitFor, waitReady,
  type CaseProcess, type FaultClinic,
} from './support-faults';

let clinic: FaultClinic;
let mongo: Awaited<ReturnType<typeof openTestMongo>>;
const log = new ProcessLog();

beforeAll(async () => {
  clinic = await createFaultClinic(__filename, 200, 104);
  mongo = await openTestMongo(__filename);
}, 120_000);

afterAll(async () => {
  await endProcesses();
  await mongo?.drop();
  await clinic?.drop();
  removeFolders();
});

/**
 * Kills the exporter's connection to `database`: caught running a statement when possible
 * (polled for up to `waitForStatementMs`), otherwise between two statements. Says which.
 */
async function killExporterConnection(database: string, exporter: CaseProcess, waitForStatementMs: number): Promise<'statement' | 'idle'> {
  const admin = await mysql.createConnection({ uri: testOscarServerUrl() });
  try {
    const deadline = Date.now() + waitForStatementMs;
    let idle: number | undefined;
    while (exporter.child.exitCode === null) {
      const [rows] = await admin.query('SELECT ID AS id, COMMAND AS command FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()', [database]);
      const connections = rows as { id: number; command: string }[];
      const busy = connections.find((connection) => connection.command === 'Query');
      idle = connections[0]?.id ?? idle;
      const target = busy?.id ?? (Date.now() > deadline ? idle : undefined);
      if (target !== undefined) {
        await admin.query(`KILL CONNECTION ${Number(target)}`);
        return busy ? 'statement' : 'idle';
      }
    }
    throw new Error('the exporter ended before its connection could be killed');
  } finally {
    await admin.end();
  }
}

test('the MariaDB connection killed mid-run: the batch is read again and the run completes with every active patient', async () => {
  await trackCase('fault', 'MariaDB connection killed mid-run (KILL <id>)', async () => {
    const port = await freePort();
    const stateDir = tempFolder('fault-mariadb-');
    startCli('gateway', ['gateway', 'start'], gatewayEnv({ port, mongoUrl: mongo.uri, database: mongo.name, stateDir: tempFolder('fault-mariadb-gw-') }), log);
    await waitReady(port);
    const database = new URL(clinic.url).pathname.slice(1);

    const exporter = startCli('exporter', FULL_RUN, exporterEnv({ oscarUrl: clinic.url, gatewayPort: port, stateDir, extra: { ENDPOINT_EXPORT_BATCH_SIZE: '20' } }), log);
    const kills: string[] = [];
    for (const [settled, waitForStatementMs] of [[40, 3000], [110, 0]]) {
      const settledAtKill = await waitFor('the exporter to be part-way', () => {
        if (exporter.child.exitCode !== null) throw new Error(`the exporter ended before its connection was killed:\n${log.tail()}`);
        const now = journalled(stateDir);
        return now >= settled ? now : undefined;
      }, 60_000, 5);
      kills.push(`${await killExporterConnection(database, exporter, waitForStatementMs)} after ${settledAtKill} settled`);
    }
    const exit = await exporter.exit;
    expect({ exit: exit.code, tail: exit.code === 0 ? '' : log.tail() }).toEqual({ exit: 0, tail: '' });
    expect(exporter.stdout()).toMatch(/status\s+complete/);
    expect(exporter.stdout()).toMatch(/run complete\s+sweep done/);
    const reconnects = log.all().match(/"msg":"the OSCAR database connection was lost; reconnecting with a new snapshot to read the batch again"/g) ?? [];
    expect(reconnects).toHaveLength(2);
    expect(log.all()).toMatch(/"reconnects":2,.*"msg":"export run finished"/);

    return await expectNothingLost(mongo.db, clinic, log, `connection killed twice (${kills.join('; ')}); batch read again each time; exit 0`);
  });
}, 120_000);

/** Kills every connection to `database`, polling every 2 ms, until `done()`; resolves to the number killed. */
async function keepKilling(database: string, done: () => boolean): Promise<number> {
  const admin = await mysql.createConnection({ uri: testOscarServerUrl() });
  let killed = 0;
  try {
    while (!done()) {
      const [rows] = await admin.query('SELECT ID AS id FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()', [database]);
      for (const { id } of rows as { id: number }[]) {
        await admin.query(`KILL CONNECTION ${Number(id)}`).then(() => killed++, () => undefined);
      }
      await sleep(2);
    }
    return killed;
  } finally {
    await admin.end();
  }
}

test('the MariaDB connection killed again and again: the run stops after its bounded reconnections, the next run resumes and completes', async () => {
  await trackCase('fault', 'MariaDB connection killed repeatedly (reconnections exhausted), next run resumes', async () => {
    const fresh = await openTestMongo(__filename);
    try {
      const port = await freePort();
      const stateDir = tempFolder('fault-mariadb-again-');
      startCli('gateway-2', ['gateway', 'start'], gatewayEnv({ port, mongoUrl: fresh.uri, database: fresh.name, stateDir: tempFolder('fault-mariadb-gw2-') }), log);
      await waitReady(port);
      const database = new URL(clinic.url).pathname.slice(1);
      const env = exporterEnv({ oscarUrl: clinic.url, gatewayPort: port, stateDir, extra: { ENDPOINT_EXPORT_BATCH_SIZE: '20' } });

      const first = startCli('exporter-a', FULL_RUN, env, log);
      await waitFor('the exporter to be part-way', () => {
        if (first.child.exitCode !== null) throw new Error(`the exporter ended before its connection was killed:\n${log.tail()}`);
        return journalled(stateDir) >= 40;
      }, 60_000, 5);
      const kills = await keepKilling(database, () => first.child.exitCode !== null || first.child.signalCode !== null);
      expect((await first.exit).code).toBe(1);
      expect(log.all()).toMatch(/\[exporter-a\] endpoint export: The OSCAR database connection was lost and 3 reconnections did not restore it \([A-Z_]+\); the next run resumes\./);
      const settledBefore = journalled(stateDir);

      const second = startCli('exporter-b', FULL_RUN, env, log);
      const exit = await second.exit;
      expect({ exit: exit.code, tail: exit.code === 0 ? '' : log.tail() }).toEqual({ exit: 0, tail: '' });
      expect(second.stdout()).toMatch(/status\s+complete/);
      expect(second.stdout()).toMatch(/run complete\s+sweep done/);
      expect(log.all()).toMatch(/\[exporter-b\] .*"msg":"export run resumed"/);

      const store = await checkStore(fresh.db, clinic.activeNos);
      expect(store).toEqual({ present: clinic.activeNos.length, missing: 0, extra: 0, halfWritten: 0, problems: [] });
      expect(log.phiIn(clinic.phi)).toEqual([]);
      return {
        patientsExpected: clinic.activeNos.length,
        patientsPresent: store.present,
        detail: `${kills} connections killed; run 1 exit 1 after 3 reconnections with ${settledBefore} settled; run 2 resumed, exit 0`,
      };
    } finally {
      await fresh.drop();
    }
  });
}, 120_000);
