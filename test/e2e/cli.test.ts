/** `endpoint e2e read|validate` as a real child process (dist/, built by `npm test` or here). */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../core/config/load';
import { writeE2E } from '../../e2e';
import { REALISTIC_RECORDS } from '../fixtures/e2e/realistic-records';

const ROOT = path.join(__dirname, '..', '..');
const CLI = path.join(ROOT, 'dist', 'cli', 'main.js');
const SAMPLE = path.join(loadConfig().sharedDir, 'e2e-samples', '08_JOHN_CLEESE_1_25091940.xml');

function endpoint(...args: string[]) {
  return spawnSync(process.execPath, [CLI, 'e2e', ...args], {
    encoding: 'utf8',
    env: { ...process.env, ENDPOINT_LOG_LEVEL: 'silent' },
  });
}

let dir: string;
beforeAll(() => {
  if (!existsSync(path.join(ROOT, 'dist', 'e2e', 'cli.js')))
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT });
  dir = mkdtempSync(path.join(os.tmpdir(), 'e2e-cli-'));
  writeFileSync(path.join(dir, 'good.xml'), writeE2E(REALISTIC_RECORDS.DIABETIC_PATIENT));
  writeFileSync(path.join(dir, 'not-xml.xml'), 'hello');
  writeFileSync(
    path.join(dir, 'invalid.xml'),
    writeE2E(REALISTIC_RECORDS.EMPTY_CHART_PATIENT).replace(
      '<realmCode code="CA-BC"/>',
      '<realmCode code="CA-BC"/><bogus/>',
    ),
  );
}, 120_000);

describe('endpoint e2e', () => {
  test('read prints the record with warnings and section counts, exit 0', () => {
    const result = endpoint('read', SAMPLE, path.join(dir, 'good.xml'));
    expect(result.status).toBe(0);
    const first = JSON.parse(result.stdout.slice(0, result.stdout.indexOf('\n}\n') + 2));
    expect(first.record.document.demographicNo).toBe('1');
    expect(first.sections.medications).toBe(9);
    expect(first.warnings).toEqual([]);
  });

  test('read exits 1 and prints the coded error for a file that cannot be read', () => {
    const result = endpoint(
      'read',
      path.join(dir, 'good.xml'),
      path.join(dir, 'not-xml.xml'),
      path.join(dir, 'missing.xml'),
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`${path.join(dir, 'not-xml.xml')}: NOT_XML:`);
    expect(result.stderr).toContain('missing.xml: ENOENT');
    expect(result.stdout).toContain('"demographicNo": "1042"');
  });

  test('validate prints OK per valid file, exit 0', () => {
    const result = endpoint('validate', SAMPLE, path.join(dir, 'good.xml'));
    expect(result.status).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual([`OK ${SAMPLE}`, `OK ${path.join(dir, 'good.xml')}`]);
  });

  test('validate prints INVALID with the first error and exits 1', () => {
    const result = endpoint(
      'validate',
      path.join(dir, 'good.xml'),
      path.join(dir, 'invalid.xml'),
      path.join(dir, 'not-xml.xml'),
    );
    expect(result.status).toBe(1);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toBe(`OK ${path.join(dir, 'good.xml')}`);
    expect(lines[1]).toMatch(/^INVALID .*invalid\.xml: .*bogus/);
    expect(lines[2]).toMatch(/^INVALID .*not-xml\.xml: /);
  });

  test('no files is a usage error (exit 2)', () => {
    expect(endpoint('read').status).toBe(2);
    expect(endpoint('frob').status).toBe(2);
  });
});
