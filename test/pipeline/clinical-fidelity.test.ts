/**
 * What a researcher counts from the store equals what OSCAR's own rules give, end to end: a
 * synthetic clinic on OSCAR 12.1's schema → the exporter → E2E documents over HTTP → the real
 * gateway (reader, derivation, real Mongo-wire store) → the hub's query engine. Every expected
 * figure is counted with SQL on the clinic's tables by OSCAR's rules (dev/clinic/oscar-rules.ts),
 * never from our own records.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../core/config/load';
import { createLogger } from '../../core/logger';
import { OSCAR_RULES, countByRule, providerCounts, type OscarRuleName } from '../../dev/clinic/oscar-rules';
import { runExport } from '../../exporter/run/export-run';
import { HttpTransport } from '../../exporter/send/transport';
import type { QueryDefinition } from '../../gateway/hub/definition';
import { runDefinition } from '../../gateway/hub/evaluate';
import { startGateway, type RunningGateway } from '../../gateway/service';
import type { StoredPatient } from '../../gateway/store/patient-document';
import { createTestClinic, type TestClinic } from '../exporter/support';
import { openTestMongo } from '../support/services';

const TOKEN = 'fidelity-ingest-token';
const CLINIC_ID = 'fidelity-clinic';
/** The synthetic clinic's last day: windows and ages are counted as of it. */
const REFERENCE_DAY = '2025-06-30';

let clinic: TestClinic;
let mongo: Awaited<ReturnType<typeof openTestMongo>>;
let gateway: RunningGateway;
let stateDir: string;
let patients: StoredPatient[];

beforeAll(async () => {
  clinic = await createTestClinic(__filename, 300, '12.1', 21);
  mongo = await openTestMongo(__filename);
  const config = loadConfig({
    env: {},
    overrides: {
      mongodbUrl: mongo.uri,
      mongodbDatabase: mongo.name,
      gatewayHost: '127.0.0.1',
      gatewayPort: '0',
      clinicId: CLINIC_ID,
      logLevel: 'silent',
      ingestToken: TOKEN,
      adminToken: 'fidelity-admin-token',
      hmacSecret: 'fidelity-secret',
    },
  });
  gateway = await startGateway(config, { logger: createLogger({ level: 'silent' }) });
  stateDir = mkdtempSync(path.join(os.tmpdir(), 'fidelity-'));
  const run = await runExport({
    oscarUrl: clinic.url,
    allowWritableAccount: true,
    stateDir,
    mode: 'full',
    transport: new HttpTransport({
      gatewayUrl: `http://127.0.0.1:${gateway.localAddress.port}`,
      ingestToken: TOKEN,
      connections: 4,
      retries: 3,
      retryBaseMs: 50,
    }),
    batchSize: 100,
    concurrency: 4,
    includeNoteText: false,
    consentProviders: [],
    logger: createLogger({ level: 'silent' }),
  });
  expect(run.summary.outcomes).toMatchObject({ rejected: 0, failed: 0 });
  patients = await mongo.db.collection<StoredPatient>('patients').find({ clinicId: CLINIC_ID }).toArray();
}, 300_000);

afterAll(async () => {
  await gateway?.close();
  await mongo?.drop();
  await clinic?.drop();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

const oscar = (rule: OscarRuleName): Promise<number> => countByRule(clinic.url, rule, REFERENCE_DAY);
const sum = (count: (patient: StoredPatient) => number): number => patients.reduce((total, p) => total + count(p), 0);

/** The numerator of a definition counted by the hub's store engine on the real store (no suppression). */
async function hubCount(population: QueryDefinition['population']): Promise<number> {
  const [cell] = await runDefinition({ engine: 'store', db: mongo.db }, { version: 1, population }, REFERENCE_DAY);
  return cell.numerator;
}

test('every active patient arrived, and the rules of the oracle are the ones documented', async () => {
  expect(patients.length).toBe(await oscar('activePatients'));
  expect(Object.keys(OSCAR_RULES).length).toBeGreaterThanOrEqual(10);
});

test('lab results: every result of a report routed to the patient, unmapped tests included', async () => {
  const stored = sum((p) => p.observations.filter((o) => o.kind === 'lab').length);
  expect(stored).toBe((await oscar('routedLabResults')) + (await oscar('flowsheetLabValues')));
  // Tests OSCAR's measurementMap does not map (type '') are there under the lab's own code.
  expect(await oscar('unmappedLabResults')).toBeGreaterThan(0);
  const potassium = sum((p) => p.observations.filter((o) => o.kind === 'lab' && o.code === '2823-3').length);
  expect(potassium).toBe(await oscar('potassiumResults'));
});

test('active medications and statin users by the newest prescription of each drug', async () => {
  expect(sum((p) => p.activeMedicationCount)).toBe(await oscar('activeMedications'));
  const statinUsers = await oscar('statinUsers');
  expect(statinUsers).toBeGreaterThan(0);
  expect(await hubCount({ medications: [{ atcPrefix: ['C10AA', 'C10BA', 'C10BX'] }] })).toBe(statinUsers);
  // Every prescription row is kept under its drug.
  expect(sum((p) => p.medications.reduce((n, m) => n + (m.prescriptions?.length ?? 0), 0))).toBe(
    await oscar('prescriptions'),
  );
});

test('flu coverage 65+: given vaccines only (refused and ineligible are not given)', async () => {
  const covered = await hubCount({ age: { min: 65 }, immunizations: [{ codePrefix: 'J07BB', withinMonths: 12 }] });
  expect(covered).toBe(await oscar('fluCovered65'));
  expect(covered).toBeGreaterThan(0);
  const notGiven = sum((p) => p.immunizations.filter((i) => i.refused).length);
  expect(notGiven).toBe(await oscar('vaccinesNotGiven'));
  expect(sum((p) => p.immunizations.filter((i) => i.reason === 'ineligible').length)).toBe(
    await oscar('vaccinesIneligible'),
  );
  expect(await oscar('vaccinesIneligible')).toBeGreaterThan(0);
});

test('screenings: a PAP in the last 36 months for women 21–69 is one observation criterion', async () => {
  const screened = await hubCount({
    sex: 'F',
    age: { min: 21, max: 69 },
    observations: [{ code: '171149006', withinMonths: 36 }],
  });
  expect(screened).toBe(await oscar('papIn36MonthsWomen21to69'));
  expect(screened).toBeGreaterThan(0);
});

test('encounters: the latest revision of each visit note, never a CPP note, an archived or a locked one', async () => {
  const encounters = await oscar('encounters');
  expect(encounters).toBeGreaterThan(0);
  expect(sum((p) => p.encounters.length)).toBe(encounters);
});

test('CPP lists are their own sections: alerts, family history, risk factors', async () => {
  const expected = {
    alerts: await oscar('alerts'),
    familyHistory: await oscar('familyHistory'),
    riskFactors: await oscar('riskFactors'),
  };
  expect(Math.min(...Object.values(expected))).toBeGreaterThan(0);
  expect({
    alerts: sum((p) => p.sectionCounts.alerts ?? 0),
    familyHistory: sum((p) => p.familyHistory.length),
    riskFactors: sum((p) => p.sectionCounts.riskFactors ?? 0),
  }).toEqual(expected);
});

test('the provider breakdown keys patients by CPSID, else the MSP or OSCAR number it says it is', async () => {
  const cells = await runDefinition(
    { engine: 'store', db: mongo.db },
    { version: 1, population: {}, breakdown: ['provider'] },
    REFERENCE_DAY,
  );
  const byKey = Object.fromEntries(cells.filter((c) => c.numerator > 0).map((c) => [c.key.provider, c.numerator]));
  expect(byKey).toEqual(await providerCounts(clinic.url));
  expect(Object.keys(byKey).some((key) => key.startsWith('msp:') || key.startsWith('oscar:'))).toBe(true);
});
