/**
 * The drop folder against a real gateway: a file left in `processing/` by a crash is imported
 * once at start, complete files are imported and moved to `done/`, a bad one goes to
 * `failed/` with its reason, a temp file is left alone, and after a restart a re-dropped file
 * is a no-op (unchanged), never a second patient.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openTestMongo } from '../support/services';
import { CHAN, CLEESE, TEST_CLINIC, sampleXml, startTestGateway } from './support';

let mongo: Awaited<ReturnType<typeof openTestMongo>>;
let dropDir: string;

beforeAll(async () => {
  mongo = await openTestMongo(__filename);
  dropDir = mkdtempSync(path.join(os.tmpdir(), 'gw-drop-'));
});
afterAll(async () => {
  await mongo.drop();
  rmSync(dropDir, { recursive: true, force: true });
});

async function until(condition: () => boolean, timeoutMs = 15000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const list = (sub: string): string[] => (existsSync(path.join(dropDir, sub)) ? readdirSync(path.join(dropDir, sub)).sort() : []);
const start = () => startTestGateway(__filename, { overrides: { dropDir, dropPollMs: '100' }, mongo: { uri: mongo.uri, database: mongo.name, db: mongo.db } });

test('files are imported once across a crash and a restart', async () => {
  mkdirSync(path.join(dropDir, 'processing'), { recursive: true });
  writeFileSync(path.join(dropDir, 'processing', 'left-by-crash.xml'), sampleXml(CHAN, '501'));
  writeFileSync(path.join(dropDir, 'cleese.xml'), sampleXml(CLEESE, '502'));
  writeFileSync(path.join(dropDir, 'broken.xml'), 'not a document');
  writeFileSync(path.join(dropDir, 'half-written.xml.tmp'), '<half');

  const first = await start();
  await until(() => list('done').length === 2 && list('failed').length === 2);
  await first.close();
  expect(list('done')).toEqual(['cleese.xml', 'left-by-crash.xml']);
  expect(list('failed')).toEqual(['broken.xml', 'broken.xml.reason.json']);
  expect(JSON.parse(readFileSync(path.join(dropDir, 'failed', 'broken.xml.reason.json'), 'utf8'))).toMatchObject({ file: 'broken.xml', error: 'NOT_XML' });
  expect(list('processing')).toEqual([]);
  expect(readdirSync(dropDir)).toContain('half-written.xml.tmp');
  const keys = async (): Promise<string[]> => (await mongo.db.collection('patients').find().toArray()).map((p) => String(p._id)).sort();
  expect(await keys()).toEqual([`${TEST_CLINIC}:501`, `${TEST_CLINIC}:502`]);
  const before = await mongo.db.collection('patients').findOne({ _id: `${TEST_CLINIC}:502` as never });

  writeFileSync(path.join(dropDir, 'processing', 'cleese.xml'), sampleXml(CLEESE, '502'));
  const second = await start();
  await until(() => list('done').length === 3);
  await second.close();
  expect(list('done').filter((name) => name.startsWith('cleese.'))).toHaveLength(2);
  expect(await keys()).toEqual([`${TEST_CLINIC}:501`, `${TEST_CLINIC}:502`]);
  expect(await mongo.db.collection('patients').findOne({ _id: `${TEST_CLINIC}:502` as never })).toEqual(before);
}, 60000);
