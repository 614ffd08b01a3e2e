/**
 * Hostile and broken E2E bodies against the real gateway, run as a child process
 * (`node dist/cli/main.js gateway start`): each case of `fixtures/hostile/cases.json` gets its
 * declared answer within its time bound, the gateway's memory peak (VmHWM) stays under the bound,
 * `GET /livez` answers throughout, and no stored patient changes — a well-formed case the tolerant
 * reader accepts adds exactly its own patient, which is deleted again before the next case.
 */
import { readFileSync } from 'node:fs';
import { readE2E } from '../../e2e';
import { CHAN, CLEESE, SAMPLES_DIR, sampleXml } from '../gateway/support';
import { openTestMongo } from '../support/services';
import { findPhi, type PhiTerms } from './phi-scan';
import { trackCase } from './record';
import {
  bodyOf,
  HOSTILE_SECRETS,
  loadHostileCases,
  memoryOf,
  patientSnapshot,
  requestOf,
  resetPeak,
  send,
  storeText,
  startGatewayProcess,
  watchLivez,
  type GatewayProcess,
  type HostileCase,
} from './support-hostile';

const CLINIC = 'hostile-clinic';
/**
 * The gateway process's resident memory must stay under this during every case: a constant,
 * whatever the input. The densest documents the reader still accepts (at its density budget)
 * peak at 230–350 MB depending on when the collector runs (measured alone and under the full
 * suite); before the budget, hostile markup took it to 1.8–2.4 GB.
 */
const MEMORY_BOUND_BYTES = 400 * 1024 * 1024;
/** A case's answer must arrive within its `timeLimitMs`, else this. */
const DEFAULT_TIME_LIMIT_MS = 5000;
/** Each `/livez` during a case must answer within this. */
const LIVEZ_BOUND_MS = 3000;
/** The real patients stored first (demographic numbers), whom no case may touch. */
const SEEDED = [
  { file: CLEESE, demographicNo: '1' },
  { file: CHAN, demographicNo: '5' },
];

let mongo: Awaited<ReturnType<typeof openTestMongo>>;
let gateway: GatewayProcess;
let seededSnapshot: string[];
let peakMeasured = true;

const manifest: { cases: HostileCase[]; problem?: string } = (() => {
  try {
    return { cases: loadHostileCases() };
  } catch (error) {
    return { cases: [], problem: (error as Error).message };
  }
})();

beforeAll(async () => {
  mongo = await openTestMongo(__filename);
  gateway = await startGatewayProcess({ mongoUri: mongo.uri, database: mongo.name, clinicId: CLINIC });
  for (const { file, demographicNo } of SEEDED) {
    const answer = await send(gateway.baseUrl, { headers: { authorization: `Bearer ${HOSTILE_SECRETS.ingestToken}`, 'content-type': 'application/xml' }, body: Buffer.from(sampleXml(file, demographicNo)), transport: 'raw' }, 10_000);
    expect(answer.status).toBe(201);
  }
  seededSnapshot = await patientSnapshot(mongo.db);
  expect(seededSnapshot).toHaveLength(SEEDED.length);
  peakMeasured = resetPeak(gateway.pid);
}, 60_000);

afterAll(async () => {
  await gateway?.stop();
  await mongo?.drop();
});

test('every fixture file is one case of the manifest, and there are at least 30', () => {
  expect(manifest.problem).toBeUndefined();
  expect(manifest.cases.length).toBeGreaterThanOrEqual(30);
});

async function deletePatient(key: string): Promise<void> {
  const answer = await send(gateway.baseUrl, { method: 'DELETE', path: `/records/${encodeURIComponent(key)}`, headers: { authorization: `Bearer ${HOSTILE_SECRETS.adminToken}` }, body: Buffer.alloc(0), transport: 'raw' }, 10_000);
  expect(answer.status).toBe(200);
}

async function runCase(entry: HostileCase): Promise<{ detail: string }> {
  const request = requestOf(entry, bodyOf(entry));
  const timeLimitMs = entry.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS;
  const before = await patientSnapshot(mongo.db);
  expect(before).toEqual(seededSnapshot);
  resetPeak(gateway.pid);
  const livez = watchLivez(gateway.baseUrl, 100, LIVEZ_BOUND_MS);
  const answer = await send(gateway.baseUrl, request, timeLimitMs + 10_000).finally(() => livez.stop());
  const live = await livez.stop();
  const memory = memoryOf(gateway.pid);

  const body = JSON.parse(answer.text) as Record<string, unknown>;
  const expected = entry.expect;
  if ('error' in expected) {
    expect({ status: answer.status, error: body.error }).toEqual({ status: expected.status, error: expected.error });
    expect(typeof body.message).toBe('string');
  } else {
    const patientKey = `${CLINIC}:${expected.demographicNo}`;
    expect({ status: answer.status, outcome: body.outcome, patientKey: body.patientKey }).toEqual({ status: expected.status, outcome: expected.outcome, patientKey });
    if (expected.maxWarnings !== undefined) expect((body.warnings as unknown[]).length).toBeLessThanOrEqual(expected.maxWarnings);
  }
  expect(answer.headers['content-type']).toMatch(/^application\/json/);
  expect(answer.ms).toBeLessThan(timeLimitMs);
  expect(memory.peak).toBeLessThan(MEMORY_BOUND_BYTES);
  expect(live).toMatchObject({ failed: 0 });
  expect(live.answered).toBeGreaterThan(0);
  expect(live.slowestMs).toBeLessThan(LIVEZ_BOUND_MS);

  for (const text of entry.forbidden ?? []) {
    expect(answer.text).not.toContain(text);
    expect(await storeText(mongo.db)).not.toContain(text);
  }
  const after = await patientSnapshot(mongo.db);
  if ('error' in expected) {
    expect(after).toEqual(seededSnapshot);
  } else {
    const added = after.filter((row) => !seededSnapshot.includes(row));
    expect(added.map((row) => (JSON.parse(row) as { _id: string })._id)).toEqual([`${CLINIC}:${expected.demographicNo}`]);
    expect(after.filter((row) => seededSnapshot.includes(row))).toEqual(seededSnapshot);
    await deletePatient(`${CLINIC}:${expected.demographicNo}`);
  }
  const peak = peakMeasured ? `peak ${Math.round(memory.peak / 1048576)} MB` : `rss ${Math.round(memory.rss / 1048576)} MB (peak not resettable)`;
  return { detail: `${answer.status} in ${Math.round(answer.ms)} ms, ${peak}, livez ${live.answered} answered (slowest ${Math.round(live.slowestMs)} ms)` };
}

/** Deletes (through the admin API) any new patient a failed case left behind, so the next case starts clean. */
async function removeLeftovers(): Promise<void> {
  const seededKeys = seededSnapshot.map((row) => (JSON.parse(row) as { _id: string })._id);
  for (const row of await patientSnapshot(mongo.db)) {
    const key = (JSON.parse(row) as { _id: string })._id;
    if (seededKeys.includes(key)) continue;
    // A key too long for a URL cannot go through the admin route: removed in the store directly.
    if (key.length > 1000) await Promise.all(['patients', 'sources'].map((name) => mongo.db.collection<{ _id: string }>(name).deleteOne({ _id: key })));
    else await deletePatient(key);
  }
}

test.each(manifest.cases.map((entry) => [entry.file, entry] as const))('%s', async (_file, entry) => {
  try {
    await trackCase('hostile', entry.name, () => runCase(entry));
  } finally {
    await removeLeftovers();
  }
}, 60_000);

test('after all cases the gateway is alive, its seeded patients unchanged', async () => {
  await trackCase('hostile', 'gateway alive and seeded patients unchanged after every case', async () => {
    const live = watchLivez(gateway.baseUrl, 0, 1000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await live.stop()).toMatchObject({ failed: 0 });
    expect(await patientSnapshot(mongo.db)).toEqual(seededSnapshot);
  });
});

/** Names (4+ letters) and health numbers of the real sample documents the cases sent. */
function samplePhiTerms(): PhiTerms {
  const names = new Set<string>();
  const healthNumbers = new Set<string>();
  for (const file of [CLEESE, CHAN]) {
    const { patient } = readE2E(readFileSync(`${SAMPLES_DIR}/${file}`)).record;
    for (const name of [...(patient.name?.given ?? []), patient.name?.family]) if (name && name.length >= 4) names.add(name);
    if (patient.healthNumber) healthNumbers.add(patient.healthNumber.value.replace(/\s/g, ''));
  }
  return { names: [...names], healthNumbers: [...healthNumbers] };
}

test('the gateway log of all cases holds no names or health numbers of the documents sent', async () => {
  await trackCase('security', 'hostile-case gateway log holds no names or health numbers', async () => {
    const logs = gateway.logs();
    expect(logs.length).toBeGreaterThan(1000);
    const terms = samplePhiTerms();
    expect(terms.names.length).toBeGreaterThan(0);
    expect(findPhi(`x ${terms.names[0]} ${terms.healthNumbers[0]} x`, terms)).toHaveLength(2);
    expect(findPhi(logs, terms)).toEqual([]);
    expect(logs).not.toContain('root:x:0:0');
    return { detail: `${logs.split('\n').length} log lines scanned` };
  });
});
