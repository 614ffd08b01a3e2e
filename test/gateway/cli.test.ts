/**
 * The built `endpoint gateway` CLI (child processes) against a gateway running in this test:
 * `import DIR` sends every .xml of a folder and summarises the outcomes, `delete` and `wipe`
 * use the admin API, and `wipe` refuses without the confirmation.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { CHAN, CLEESE, TEST_CLINIC, TEST_SECRETS, sampleXml, startTestGateway, type TestGateway } from './support';

const CLI = path.resolve(__dirname, '../../dist/cli/main.js');
let gw: TestGateway;
let folder: string;

beforeAll(async () => {
  gw = await startTestGateway(__filename);
  folder = mkdtempSync(path.join(os.tmpdir(), 'gw-cli-'));
});
afterAll(async () => {
  await gw.close();
  rmSync(folder, { recursive: true, force: true });
});

async function endpoint(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = {
    ...process.env,
    ENDPOINT_INGEST_TOKEN: TEST_SECRETS.ingestToken,
    ENDPOINT_ADMIN_TOKEN: TEST_SECRETS.adminToken,
    ENDPOINT_LOG_LEVEL: 'silent',
  };
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [CLI, 'gateway', ...args, '--url', gw.baseUrl],
      { env },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

test('import DIR, delete KEY and wipe through the running gateway', async () => {
  writeFileSync(path.join(folder, 'a.xml'), sampleXml(CHAN, '61'));
  writeFileSync(path.join(folder, 'b.xml'), sampleXml(CLEESE, '62'));
  writeFileSync(path.join(folder, 'c.xml'), 'not xml');
  writeFileSync(path.join(folder, 'notes.txt'), 'ignored');
  const imported = await endpoint('import', folder);
  expect(imported.code).toBe(1);
  expect(JSON.parse(imported.stdout)).toMatchObject({
    files: 3,
    outcomes: { created: 2 },
    failed: 1,
    failures: [{ file: 'c.xml' }],
  });
  expect(await gw.db.collection('patients').countDocuments()).toBe(2);

  const deleted = await endpoint('delete', `${TEST_CLINIC}:61`);
  expect(deleted.code).toBe(0);
  expect(await gw.db.collection('patients').countDocuments()).toBe(1);

  const refused = await endpoint('wipe');
  expect(refused.code).toBe(2);
  expect(refused.stderr).toContain('--confirm wipe-all-records');
  expect(await gw.db.collection('patients').countDocuments()).toBe(1);

  const wiped = await endpoint('wipe', '--confirm', 'wipe-all-records');
  expect(wiped.code).toBe(0);
  expect(JSON.parse(wiped.stdout)).toMatchObject({ wiped: true, removed: { patients: 1, sources: 1 }, runsCut: 0 });
}, 60000);
