/**
 * Receipts: the small per-patient record of the latest document. An unchanged re-send touches
 * only the receipt (the patient document keeps its `updatedAt`); a store written by an older
 * version (run bookkeeping in the patient, no receipts) gets its receipts once at start, after
 * which unchanged re-sends and the full-run sweep work as before.
 */
import { RECEIPTS_MARKER } from '../../gateway/store/receipts-backfill';
import { openTestMongo } from '../support/services';
import { CHAN, CLEESE, TEST_CLINIC, TEST_SECRETS, callJson, logCapture, postRecord, sampleXml, startTestGateway } from './support';

async function until(condition: () => Promise<boolean>, timeoutMs = 20000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('an unchanged re-send in a run marks the receipt and leaves the patient document alone', async () => {
  const gw = await startTestGateway(__filename);
  try {
    expect((await postRecord(gw.baseUrl, sampleXml(CHAN, '31'))).status).toBe(201);
    const key = `${TEST_CLINIC}:31`;
    const before = await gw.db.collection('patients').findOne({ _id: key as never });
    const run = await callJson(gw.baseUrl, 'POST', '/runs', { body: { mode: 'differential' }, token: TEST_SECRETS.ingestToken });
    const runId = run.body.runId as string;
    const again = await postRecord(gw.baseUrl, sampleXml(CHAN, '31'), { runId });
    expect(again.body).toMatchObject({ outcome: 'unchanged', patientKey: key });
    expect(Object.keys(again.body.sections as object).length).toBeGreaterThan(0);
    const after = await gw.db.collection('patients').findOne({ _id: key as never });
    expect(after?.updatedAt).toEqual(before?.updatedAt);
    expect(after).not.toHaveProperty('lastRunId');
    expect(await gw.db.collection('receipts').findOne({ _id: key as never })).toMatchObject({ clinicId: TEST_CLINIC, sourceHash: before?.sourceHash, runId });
  } finally {
    await gw.close();
  }
});

test('a store written by an older version gets its receipts once; re-sends are unchanged and a full run sweeps', async () => {
  const mongo = await openTestMongo(__filename);
  try {
    const mongoOption = { uri: mongo.uri, database: mongo.name, db: mongo.db };
    const first = await startTestGateway(__filename, { mongo: mongoOption });
    for (const n of ['41', '42', '43']) expect((await postRecord(first.baseUrl, sampleXml(n === '42' ? CLEESE : CHAN, n))).status).toBe(201);
    await first.close();
    // What an older version left: run bookkeeping in the patient documents, no receipts, no marker.
    await mongo.db.collection('patients').updateMany({}, { $set: { lastRunId: 'older-run' } });
    await mongo.db.collection('receipts').deleteMany({});
    await mongo.db.collection('meta').deleteMany({});

    const capture = logCapture();
    const second = await startTestGateway(__filename, { mongo: mongoOption, logStream: capture.stream });
    try {
      await until(async () => (await mongo.db.collection('meta').findOne({ _id: RECEIPTS_MARKER as never })) !== null);
      const receipts = await mongo.db.collection('receipts').find({}).toArray();
      expect(receipts.map((receipt) => receipt._id).sort()).toEqual([`${TEST_CLINIC}:41`, `${TEST_CLINIC}:42`, `${TEST_CLINIC}:43`]);
      expect(receipts.every((receipt) => receipt.runId === 'older-run' && typeof receipt.sourceHash === 'string')).toBe(true);
      // A restart on a store that has every index asks for none (FerretDB 1.24 drops the connection when asked for existing ones).
      expect(capture.text()).not.toContain('not ready yet');

      const run = await callJson(second.baseUrl, 'POST', '/runs', { body: { mode: 'full' }, token: TEST_SECRETS.ingestToken });
      const runId = run.body.runId as string;
      for (const n of ['41', '43']) expect((await postRecord(second.baseUrl, sampleXml(CHAN, n), { runId })).body.outcome).toBe('unchanged');
      const completed = await callJson(second.baseUrl, 'POST', `/runs/${runId}/complete`, { body: { patientsSent: 2 }, token: TEST_SECRETS.ingestToken });
      expect(completed.body).toMatchObject({ swept: true, removed: 1, patientsReceived: 2 });
      expect((await mongo.db.collection('patients').find({}, { projection: { _id: 1 } }).toArray()).map((p) => p._id).sort()).toEqual([`${TEST_CLINIC}:41`, `${TEST_CLINIC}:43`]);
      expect(await mongo.db.collection('receipts').countDocuments({})).toBe(2);
      expect(await mongo.db.collection('sources').countDocuments({})).toBe(2);
    } finally {
      await second.close();
    }
  } finally {
    await mongo.drop();
  }
});
