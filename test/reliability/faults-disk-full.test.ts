/**
 * Fault: the disk of the drop folder is full (a 256 KiB tmpfs). The exporter's file mode
 * (`export run --out DIR`) stops naming the problem and the folder, leaves no partial or
 * temporary file, and after space is freed the next run writes every active patient. With the
 * gateway's drop folder on the full disk, a file that fails there still leaves the way free
 * for the others, and in the end the store holds every active patient, none half-written.
 * Needs root for `mount -t tmpfs`; elsewhere the cases are skipped and recorded as such.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort } from '../../dev/services/mongo';
import { openTestMongo } from '../support/services';
import { recordCase, trackCase } from './record';
import {
  FAULT_SECRETS, FULL_RUN, ProcessLog, checkStore, createFaultClinic, documentsIn, endProcesses, exporterEnv, fillDisk, gatewayEnv, mountTmpfs, removeFolders, resizeTmpfs,
  startCli, tempFolder, unmountAll, waitFor, waitReady, type FaultClinic,
} from './support-faults';

const probe = mountTmpfs('64k');
const skipped = 'skipped' in probe ? probe.skipped : undefined;
const caseTest = skipped === undefined ? test : test.skip;

let clinic: FaultClinic;
const log = new ProcessLog();

beforeAll(async () => {
  if (skipped === undefined) clinic = await createFaultClinic(__filename, 150, 105);
}, 120_000);

afterAll(async () => {
  await endProcesses();
  await clinic?.drop();
  unmountAll();
  removeFolders();
});

if (skipped !== undefined) {
  test(`disk-full cases skipped: ${skipped}`, () => {
    for (const name of ['disk full in the exporter --out folder', 'disk full in the gateway drop folder']) recordCase({ group: 'fault', name, passed: false, detail: `SKIPPED: ${skipped}` });
  });
}

function mounted(size: string): string {
  const mount = mountTmpfs(size);
  if ('skipped' in mount) throw new Error(mount.skipped);
  return mount.dir;
}

caseTest('exporter --out on a full disk: a clear error naming the folder, no partial file; after space is freed every patient is written', async () => {
  await trackCase('fault', 'disk full in the exporter --out folder', async () => {
    const out = mounted('256k');
    const env = exporterEnv({ oscarUrl: clinic.url, stateDir: tempFolder('fault-disk-state-') });
    const args = [...FULL_RUN, '--out', out];

    const first = startCli('exporter-1', args, env, log);
    expect((await first.exit).code).toBe(1);
    const full = documentsIn(out);
    expect(full.broken).toEqual([]);
    expect(full.others).toEqual([]);
    expect(full.demographicNos.length).toBeGreaterThan(0);
    expect(full.demographicNos.length).toBeLessThan(clinic.activeNos.length);
    expect(first.stdout()).toMatch(/status\s+failed/);
    expect(log.all()).toContain(`ENOSPC: the disk holding ${out} is full`);

    resizeTmpfs(out, '16m');
    const second = startCli('exporter-2', args, env, log);
    const exit = await second.exit;
    expect({ exit: exit.code, tail: exit.code === 0 ? '' : log.tail() }).toEqual({ exit: 0, tail: '' });
    expect(second.stdout()).toMatch(/status\s+complete/);
    const after = documentsIn(out);
    expect(after.broken).toEqual([]);
    expect(after.others).toEqual([]);
    expect(after.demographicNos.sort()).toEqual([...clinic.activeNos].sort());
    expect(log.phiIn(clinic.phi)).toEqual([]);
    return {
      patientsExpected: clinic.activeNos.length,
      patientsPresent: after.demographicNos.length,
      detail: `files, not the store: ${full.demographicNos.length} whole files when the disk filled, none partial; after freeing space the resumed run wrote the rest; exit 1 then 0`,
    };
  });
}, 120_000);

caseTest('the gateway drop folder on a full disk: a failing file does not hold up the others; after space is freed the store has every patient', async () => {
  await trackCase('fault', 'disk full in the gateway drop folder', async () => {
    const mongo = await openTestMongo(__filename);
    try {
      const drop = mounted('256k');
      const port = await freePort();
      startCli('gateway', ['gateway', 'start'], gatewayEnv({ port, mongoUrl: mongo.uri, database: mongo.name, stateDir: tempFolder('fault-drop-gw-'), extra: { ENDPOINT_DROP_DIR: drop, ENDPOINT_DROP_POLL_MS: '100' } }), log);
      await waitReady(port);
      const admin = async (route: string) => {
        const answer = await fetch(`http://127.0.0.1:${port}${route}`, { method: 'POST', headers: { authorization: `Bearer ${FAULT_SECRETS.ENDPOINT_ADMIN_TOKEN}` } });
        expect(answer.status).toBe(200);
      };
      // Held while the exporter fills the disk, so the gateway meets a full disk with files waiting.
      await admin('/admin/drain');
      const env = exporterEnv({ oscarUrl: clinic.url, stateDir: tempFolder('fault-drop-state-') });
      const args = [...FULL_RUN, '--out', drop];
      const first = startCli('exporter-1', args, env, log);
      expect((await first.exit).code).toBe(1);
      const waiting = documentsIn(drop);
      expect(waiting.broken).toEqual([]);
      // Not a document, and first in line: its failure note cannot be written on the full disk.
      writeFileSync(path.join(drop, '0000-not-a-document.xml'), '');
      fillDisk(drop, 'filler.bin');
      await admin('/admin/undrain');
      const storedWhileFull = await waitFor('the waiting files imported while the disk is full', async () => {
        const stored = await mongo.db.collection('patients').countDocuments({});
        return stored === waiting.demographicNos.length ? stored : undefined;
      }, 30_000, 100);
      expect(readdirSync(path.join(drop, 'failed')).filter((name) => name.endsWith('.xml'))).toEqual(['0000-not-a-document.xml']);
      expect(log.all()).toMatch(/"file":"0000-not-a-document.xml","code":"[A-Z_]+","folder":"[^"]+","noteError":"ENOSPC[^"]*","msg":"drop folder failure note could not be written; the reason is only in this log"/);

      resizeTmpfs(drop, '16m');
      const second = startCli('exporter-2', args, env, log);
      const exit = await second.exit;
      expect({ exit: exit.code, tail: exit.code === 0 ? '' : log.tail() }).toEqual({ exit: 0, tail: '' });
      const present = await waitFor('every patient imported', async () => {
        const stored = await mongo.db.collection('patients').countDocuments({});
        return stored >= clinic.activeNos.length ? stored : undefined;
      }, 30_000, 100);
      const store = await checkStore(mongo.db, clinic.activeNos);
      expect(store).toEqual({ present: clinic.activeNos.length, missing: 0, extra: 0, halfWritten: 0, problems: [] });
      expect(present).toBe(clinic.activeNos.length);
      expect(documentsIn(path.join(drop, 'processing')).demographicNos).toEqual([]);
      expect(log.phiIn(clinic.phi)).toEqual([]);
      return {
        patientsExpected: clinic.activeNos.length,
        patientsPresent: store.present,
        detail: `${storedWhileFull} imported while the disk was full (a bad file failed beside them); the rest after space was freed`,
      };
    } finally {
      await mongo.drop();
    }
  });
}, 120_000);
