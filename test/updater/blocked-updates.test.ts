/**
 * Issue 15, item 7: runs that are refused every time (a force-pushed remote, hand-made changes in
 * the running release) are visible in `check update`: WARNING at once, CRITICAL once blocked for
 * longer than -c hours; OK again after the next install. The real updater and the check are child
 * processes; the remote is a real git repository.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { statusFilePath } from '../../core/status-files';
import { UpdaterTestbed } from './testbed';

const CLI = path.join(__dirname, '..', '..', 'dist', 'cli', 'main.js');

let bed: UpdaterTestbed;
let first: string;

function endpoint(...args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...bed.env() },
    timeout: 60_000,
  });
}

beforeEach(async () => {
  bed = await UpdaterTestbed.create();
  first = bed.git('rev-parse', 'HEAD');
  expect(endpoint('update', 'run').stdout).toMatch(/^updated:/);
});
afterEach(() => bed.destroy());

test('a force-pushed remote: every run refused, check update WARNING at once and CRITICAL after -c hours; OK after the next install', () => {
  const second = bed.commit('second', { CHANGELOG: 'v2\n' });
  expect(endpoint('update', 'run').stdout).toMatch(/^updated:/);
  bed.git('reset', '-q', '--hard', first);
  bed.commit('rewritten history', { OTHER: 'x\n' });
  expect(endpoint('update', 'run').stdout).toMatch(/^refused: .*does not descend from the running/);
  const warning = endpoint('check', 'update');
  expect(warning.stdout).toMatch(
    /^UPDATE WARNING: no update installs for 0 h, refused: the remote branch main .* does not descend from the running .*, running [0-9a-f]{12}, last fetch 0 h ago \| .* blocked_hours=0;;;0\n$/,
  );
  expect(warning.status).toBe(1);

  // Three days later (the status file's clock moved back), still refused at every run:
  const file = statusFilePath(bed.stateDir, 'update');
  const status = JSON.parse(readFileSync(file, 'utf8')) as { blockedSince: string };
  status.blockedSince = new Date(Date.now() - 80 * 3600 * 1000).toISOString();
  writeFileSync(file, JSON.stringify(status));
  expect(endpoint('update', 'run').stdout).toMatch(/^refused:/);
  const critical = endpoint('check', 'update');
  expect(critical.stdout).toMatch(
    /^UPDATE CRITICAL: .*no update installs for 80 h, refused: .* blocked_hours=80;;;0\n$/,
  );
  expect(critical.status).toBe(2);

  // The remote is put right (a descendant of the running commit): installed, OK again.
  bed.git('reset', '-q', '--hard', second);
  bed.commit('third', { CHANGELOG: 'v3\n' });
  expect(endpoint('update', 'run').stdout).toMatch(/^updated:/);
  expect(endpoint('check', 'update').stdout).toMatch(/^UPDATE OK: /);
});

test('hand-made changes in the running release: refused, and WARNING in check update', () => {
  bed.commit('second', { CHANGELOG: 'v2\n' });
  appendFileSync(path.join(bed.deployDir, 'current', 'server.js'), '// hot fix\n');
  expect(endpoint('update', 'run').stdout).toMatch(
    /^refused: the running release has 1 locally changed file\(s\) \(server\.js\)/,
  );
  const check = endpoint('check', 'update');
  expect(check.stdout).toMatch(
    /^UPDATE WARNING: .*no update installs for 0 h, refused: the running release has 1 locally changed file/,
  );
  expect(check.status).toBe(1);
});
