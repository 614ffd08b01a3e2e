/**
 * The read-only source against real MariaDB: an account that can write is refused (root can),
 * a SELECT-only account is accepted, the schema variant is read from information_schema, and
 * the CLI refuses a writable account with a clear message unless --allow-writable-account.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { isEndpointError } from '../../core/errors';
import { validateE2EFiles } from '../../e2e/validate';
import { OscarSource } from '../../exporter/source/oscar-source';
import { createTestClinic, type TestClinic } from './support';

const ROOT = path.join(__dirname, '..', '..');
const CLI = path.join(ROOT, 'dist', 'cli', 'main.js');

let latest: TestClinic;
let release121: TestClinic;
let admin: mysql.Connection;
const user = `exp_ro_${process.pid}`;
let readOnlyUrl: string;
let tmp: string;

beforeAll(async () => {
  [latest, release121] = [await createTestClinic(__filename, 40, 'latest'), await createTestClinic(__filename, 40, '12.1')];
  admin = await mysql.createConnection({ uri: latest.url });
  for (const host of ['%', 'localhost']) {
    await admin.query(`CREATE USER IF NOT EXISTS '${user}'@'${host}' IDENTIFIED BY 'read-only-pw'`);
    await admin.query(`GRANT SELECT ON \`${latest.name}\`.* TO '${user}'@'${host}'`);
  }
  const url = new URL(latest.url);
  url.username = user;
  url.password = 'read-only-pw';
  readOnlyUrl = url.toString();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'export-ro-'));
}, 180_000);

afterAll(async () => {
  for (const host of ['%', 'localhost']) await admin?.query(`DROP USER IF EXISTS '${user}'@'${host}'`);
  await admin?.end();
  await latest?.drop();
  await release121?.drop();
  rmSync(tmp, { recursive: true, force: true });
});

test('an account that can write (root) is refused with WRITABLE_ACCOUNT naming the privileges', async () => {
  const error = await OscarSource.open({ oscarUrl: latest.url, allowWritableAccount: false }).catch((thrown: unknown) => thrown);
  expect(isEndpointError(error, 'WRITABLE_ACCOUNT')).toBe(true);
  expect((error as Error).message).toMatch(/can change data \(.*ALL PRIVILEGES on \*\.\*/);
  expect((error as Error).message).toContain('--allow-writable-account');
});

test('a SELECT-only account is accepted and reads inside a read-only snapshot', async () => {
  const source = await OscarSource.open({ oscarUrl: readOnlyUrl, allowWritableAccount: false });
  try {
    expect(source.writePrivileges).toEqual([]);
    const rows = await source.query('SELECT COUNT(*) AS n FROM demographic');
    expect(Number(rows[0].n)).toBe(40);
    await expect(source.query("UPDATE demographic SET city = 'x' WHERE demographic_no = 1")).rejects.toThrow();
  } finally {
    await source.close();
  }
});

test('writes are impossible even for a writable account that was allowed: the transaction is READ ONLY', async () => {
  const source = await OscarSource.open({ oscarUrl: latest.url, allowWritableAccount: true });
  try {
    expect(source.writePrivileges.length).toBeGreaterThan(0);
    await expect(source.query("UPDATE demographic SET city = 'x' WHERE demographic_no = 1")).rejects.toThrow(/READ ONLY/i);
  } finally {
    await source.close();
  }
});

test.each([
  ['latest', () => latest],
  ['12.1', () => release121],
])('the %s schema is recognised from information_schema', async (variant, clinic) => {
  const source = await OscarSource.open({ oscarUrl: clinic().url, allowWritableAccount: true });
  try {
    expect(source.schema.variant).toBe(variant);
    expect(source.schema.votes.release121 + source.schema.votes.latest).toBe(4);
    // OSCAR 12.1 declares no index on drugs.demographic_no or preventions.demographic_no.
    if (variant === '12.1') expect(source.schema.unindexedPatientTables).toEqual(expect.arrayContaining(['drugs', 'preventions']));
    else expect(source.schema.unindexedPatientTables).not.toContain('drugs');
  } finally {
    await source.close();
  }
});

describe('the CLI (child process, dist/)', () => {
  const env = (extra: Record<string, string>) => ({ ...process.env, ENDPOINT_STATE_DIR: path.join(tmp, 'state'), ENDPOINT_LOG_LEVEL: 'warn', ...extra });

  test('endpoint export run refuses a writable account: exit 1, one clear sentence', async () => {
    const error = (await promisify(execFile)('node', [CLI, 'export', 'run', '--out', path.join(tmp, 'out-refused')], { env: env({ ENDPOINT_OSCAR_URL: latest.url }) }).catch((thrown: unknown) => thrown)) as { code: number; stderr: string };
    expect(error.code).toBe(1);
    expect(error.stderr).toMatch(/endpoint export: The OSCAR account root can change data/);
    const status = JSON.parse(readFileSync(path.join(tmp, 'state', 'export-status.json'), 'utf8')) as { lastRun: { status: string; error: string } };
    expect(status.lastRun.status).toBe('failed');
    expect(status.lastRun.error).toMatch(/can change data/);
  });

  test('--allow-writable-account and a 12.1 clinic: exports to --out, exit 0, summary on stdout', async () => {
    const out = path.join(tmp, 'out-121');
    const { stdout } = await promisify(execFile)('node', [CLI, 'export', 'run', '--full', '--out', out, '--allow-writable-account'], { env: env({ ENDPOINT_OSCAR_URL: release121.url }) });
    expect(readdirSync(out).length).toBe(release121.summary.activePatients);
    const invalid = (await validateE2EFiles(readdirSync(out).map((name) => path.join(out, name)))).filter((result) => !result.valid);
    expect(invalid).toEqual([]);
    expect(stdout).toMatch(/status\s+complete/);
    expect(stdout).toMatch(new RegExp(`created\\s+${release121.summary.activePatients}`));
  }, 60_000);

  test('--wait-for-backup starts nothing while the backup marker is missing or stale, and exports once it is renewed', async () => {
    const marker = path.join(tmp, 'backup-done');
    const out = path.join(tmp, 'out-marker');
    const markerEnv = env({ ENDPOINT_OSCAR_URL: readOnlyUrl, ENDPOINT_STATE_DIR: path.join(tmp, 'state-marker'), ENDPOINT_BACKUP_MARKER: marker, ENDPOINT_BACKUP_WAIT_MS: '0' });
    const run = () =>
      promisify(execFile)('node', [CLI, 'export', 'run', '--out', out, '--wait-for-backup'], { env: markerEnv }).catch((thrown: unknown) => thrown) as Promise<{ code?: number; stderr: string }>;
    const missing = await run();
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/backup marker .*backup-done does not exist/);
    expect(existsSync(out)).toBe(false);
    writeFileSync(marker, '');
    expect((await run()).code).toBeUndefined();
    expect(readdirSync(out).length).toBe(latest.summary.activePatients);
    const stale = await run();
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/backup marker .*backup-done was not renewed since the last run/);
  }, 60_000);

  test('a SELECT-only account needs no flag', async () => {
    const out = path.join(tmp, 'out-ro');
    await promisify(execFile)('node', [CLI, 'export', 'run', '--out', out], { env: env({ ENDPOINT_OSCAR_URL: readOnlyUrl, ENDPOINT_STATE_DIR: path.join(tmp, 'state-ro') }) });
    expect(readdirSync(out).length).toBe(latest.summary.activePatients);
  }, 60_000);
});
