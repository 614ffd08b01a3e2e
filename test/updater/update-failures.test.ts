/**
 * The updater when things go wrong, against real git and the stand-in gateway as a real
 * process: a build that fails, a release that is not ready or crashes (rolled back), a
 * force-pushed remote, an unreachable or hanging remote, and an unsigned commit.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import path from 'node:path';
import { readJsonFile } from '../../core/files';
import { buildLogFile } from '../../updater/release-build';
import { statusFilePath } from '../../core/status-files';
import type { UpdaterStatus } from '../../updater/status-store';
import { retryFailed } from '../../updater/admin-actions';
import { checkForUpdate } from '../../updater/update-check';
import { runUpdate } from '../../updater/update-run';
import { freePort, UpdaterTestbed } from './testbed';

let bed: UpdaterTestbed;
let first: string;

beforeEach(async () => {
  bed = await UpdaterTestbed.create();
  first = bed.git('rev-parse', 'HEAD');
  expect((await runUpdate(bed.context())).outcome).toBe('updated');
});

afterEach(() => bed.destroy());

function status(): UpdaterStatus {
  return readJsonFile<UpdaterStatus>(statusFilePath(bed.stateDir, 'update')) as UpdaterStatus;
}

test('a commit whose build fails: nothing switched, old service serving, remembered, not retried until retry', async () => {
  const broken = bed.commit('broken build', { 'build-fails': 'yes' });
  const restarts = bed.restarts();
  const report = await runUpdate(bed.context());
  expect(report.outcome).toBe('build-failed');
  expect(report.message).toMatch(/the build step \(node build.js\) exited with 1: build error: the commit asked for it/);
  expect(bed.restarts()).toBe(restarts);
  expect(await bed.servingCommit()).toBe(first);
  expect(existsSync(path.join(bed.deployDir, 'releases', broken))).toBe(false);
  expect(status()).toMatchObject({ current: first, failedCommits: [broken], lastResult: { outcome: 'build-failed', commit: broken } });

  const again = await runUpdate(bed.context());
  expect(again.outcome).toBe('failed-before');
  expect(existsSync(path.join(bed.deployDir, 'releases', broken))).toBe(false);

  expect(retryFailed(bed.context())).toEqual([broken]);
  expect((await runUpdate(bed.context())).outcome).toBe('build-failed');

  const fixed = bed.commit('fixed build', { 'build-fails': null });
  expect((await runUpdate(bed.context())).outcome).toBe('updated');
  expect(await bed.servingCommit()).toBe(fixed);
});

test('a commit that builds but never gets ready: rolled back, old version serving, remembered', async () => {
  const unready = bed.commit('not ready', { 'not-ready': 'yes' });
  const report = await runUpdate(bed.context({ ENDPOINT_UPDATE_VERIFY_SECONDS: '2' }));
  expect(report.outcome).toBe('rolled-back');
  expect(report.message).toMatch(/not verified within 2 s: \/readyz answered 503: store unreachable/);
  expect(await bed.servingCommit()).toBe(first);
  expect(path.basename(path.join(bed.deployDir, 'current', '..', readlinkSync(path.join(bed.deployDir, 'current'))))).toBe(first);
  expect(status()).toMatchObject({ current: first, failedCommits: [unready], lastResult: { outcome: 'rolled-back' } });
  expect(status().critical).toBeUndefined();
  const restarts = bed.restarts();
  expect((await runUpdate(bed.context())).outcome).toBe('failed-before');
  expect(bed.restarts()).toBe(restarts);
});

test('a commit that crashes during the soak: rolled back', async () => {
  bed.commit('crashes soon', { 'crash-after-ready': 'yes' });
  const report = await runUpdate(bed.context({ ENDPOINT_UPDATE_SOAK_SECONDS: '3' }));
  expect(report.outcome).toBe('rolled-back');
  expect(report.message).toMatch(/crashed during the 3 s soak/);
  expect(await bed.servingCommit()).toBe(first);
});

test('a rollback that cannot be verified leaves CRITICAL with the next step, and stops updates', async () => {
  bed.commit('not ready', { 'not-ready': 'yes' });
  // The restart works once (the new release starts, never ready), then fails (the rollback cannot restart).
  const once = path.join(bed.root, 'restarted-once');
  const worksOnce = `if [ -f ${once} ]; then exit 1; fi; touch ${once}; sh ${path.join(bed.root, 'restart.sh')}`;
  const report = await runUpdate(bed.context({ ENDPOINT_UPDATE_VERIFY_SECONDS: '1', ENDPOINT_UPDATE_RESTART_COMMAND: worksOnce }));
  expect(report.outcome).toBe('rollback-failed');
  expect(status().critical).toMatch(/Next step: .*then run 'endpoint update retry'/);
  expect((await runUpdate(bed.context())).outcome).toBe('rollback-failed');
  retryFailed(bed.context());
  expect(status().critical).toBeUndefined();
});

test('diverged history (remote force-pushed): refused, never merged', async () => {
  const second = bed.commit('second', { CHANGELOG: 'v2\n' });
  expect((await runUpdate(bed.context())).outcome).toBe('updated');
  bed.git('reset', '-q', '--hard', first);
  const rewritten = bed.commit('rewritten history', { OTHER: 'x\n' });
  const restarts = bed.restarts();
  const report = await runUpdate(bed.context());
  expect(report.outcome).toBe('refused');
  expect(report.message).toMatch(/does not descend from the running .*never merging/);
  expect(bed.restarts()).toBe(restarts);
  expect(await bed.servingCommit()).toBe(second);
  expect(status()).toMatchObject({ current: second, lastResult: { outcome: 'refused', commit: rewritten } });
});

test('hand-made changes in the running release: refused', async () => {
  bed.commit('second', { CHANGELOG: 'v2\n' });
  writeFileSync(path.join(bed.deployDir, 'current', 'server.js'), '// hot fix\n', { flag: 'a' });
  const report = await checkForUpdate(bed.context());
  expect(report.verdict).toBe('refused');
  expect(report.message).toMatch(/1 locally changed file\(s\) \(server.js\)/);
});

test('an unreachable remote: fetch-failed (never "no update"), nothing changed', async () => {
  bed.commit('second', { CHANGELOG: 'v2\n' });
  const port = await freePort();
  const report = await runUpdate(bed.context({ ENDPOINT_UPDATE_REMOTE: `http://127.0.0.1:${port}/x.git` }));
  expect(report.outcome).toBe('fetch-failed');
  expect(report.message).toMatch(/fetch failed, update state unknown/);
  expect(status().lastResult?.outcome).toBe('fetch-failed');
  expect(await bed.servingCommit()).toBe(first);
});

test('a build that fails with compiler errors: the message names the errors, not only the last line; the whole output is kept', async () => {
  const tscLike = `console.log("gateway/service.ts(12,5): error TS2322: Type 'string' is not assignable to type 'number'.");
console.log("updater/cli.ts(3,10): error TS2305: Module './x' has no exported member 'y'.");
console.log('');
console.log('Found 2 errors in 2 files.');
process.exit(2);
`;
  const broken = bed.commit('does not compile', { 'build.js': tscLike });
  const report = await runUpdate(bed.context());
  expect(report.outcome).toBe('build-failed');
  expect(report.message).toMatch(
    /^the build step \(node build\.js\) exited with 2: gateway\/service\.ts\(12,5\): error TS2322: .* \/ updater\/cli\.ts\(3,10\): error TS2305: .* \/ Found 2 errors in 2 files\.; nothing was switched \(full output in .*update-build\.log\)$/,
  );
  expect(readFileSync(buildLogFile(bed.stateDir), 'utf8')).toContain(`build of ${broken} (node build.js) exited with 2`);
});

describe('a hanging remote', () => {
  let server: Server;
  const sockets: Socket[] = [];
  afterEach(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });

  test.each(['git', 'http'])('over %s: time-out within the limit, clear status, no prompt', async (scheme) => {
    server = createServer((socket) => sockets.push(socket)); // accepts, never answers
    const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
    const started = Date.now();
    const report = await checkForUpdate(bed.context({ ENDPOINT_UPDATE_REMOTE: `${scheme}://127.0.0.1:${port}/x.git`, ENDPOINT_UPDATE_FETCH_TIMEOUT_SECONDS: '2' }));
    const seconds = (Date.now() - started) / 1000;
    expect(report.verdict).toBe('fetch-failed');
    expect(report.message).toMatch(/took longer than 2 s and was stopped/);
    expect(seconds).toBeLessThan(6);
    expect(status()).toMatchObject({ lastResult: { outcome: 'fetch-failed' } });
  });
});

test('update run against an HTTPS remote that never answers: the updater exits within the limit and leaves no git helper behind', async () => {
  const sockets: Socket[] = [];
  const silent = createServer((socket) => sockets.push(socket)); // accepts, never answers the TLS handshake
  const port = await new Promise<number>((resolve) => silent.listen(0, '127.0.0.1', () => resolve((silent.address() as { port: number }).port)));
  const remote = `https://127.0.0.1:${port}/project.git`;
  try {
    const started = Date.now();
    const cli = path.join(__dirname, '..', '..', 'dist', 'cli', 'main.js');
    const child = spawn(process.execPath, [cli, 'update', 'run'], { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...bed.env({ ENDPOINT_UPDATE_REMOTE: remote, ENDPOINT_UPDATE_FETCH_TIMEOUT_SECONDS: '2' }) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect((Date.now() - started) / 1000).toBeLessThan(15);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^fetch-failed: .*took longer than 2 s and was stopped/);
    // No git process (git-remote-https included) still talking to the silent remote.
    const leftover = readdirSync('/proc')
      .filter((pid) => /^\d+$/.test(pid))
      .filter((pid) => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`127.0.0.1:${port}`);
        } catch {
          return false;
        }
      });
    expect(leftover).toEqual([]);
  } finally {
    for (const socket of sockets) socket.destroy();
    silent.close();
  }
});

const sshKeygen = (() => {
  try {
    execFileSync('ssh-keygen', ['-?'], { stdio: 'ignore' });
    return true;
  } catch (error) {
    return (error as { status?: number }).status !== undefined && (error as { status?: number }).status !== 127;
  }
})();

(sshKeygen ? test : test.skip)('with an allowed-signers file, only SSH-signed commits from an allowed key are installed', async () => {
  const keys = path.join(bed.root, 'keys');
  execFileSync('mkdir', ['-p', keys]);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'release', '-f', path.join(keys, 'release')]);
  const publicKey = readFileSync(path.join(keys, 'release.pub'), 'utf8').trim();
  writeFileSync(path.join(keys, 'allowed_signers'), `author@example.org ${publicKey}\n`);
  const settings = { ENDPOINT_UPDATE_ALLOWED_SIGNERS: path.join(keys, 'allowed_signers') };

  const unsigned = bed.commit('unsigned', { CHANGELOG: 'v2\n' });
  const refused = await runUpdate(bed.context(settings));
  expect(refused.outcome).toBe('refused');
  expect(refused.message).toMatch(/no signature that verifies/);
  expect(await bed.servingCommit()).toBe(first);
  expect(status().failedCommits).toContain(unsigned);
  expect(readdirSync(path.join(bed.deployDir, 'releases'))).toEqual([first]);

  writeFileSync(path.join(bed.workDir, 'CHANGELOG'), 'v3\n');
  bed.git('add', '-A');
  bed.git('-c', 'gpg.format=ssh', '-c', `user.signingkey=${path.join(keys, 'release')}`, 'commit', '-q', '-S', '-m', 'signed');
  bed.git('push', '-q', 'origin', 'main');
  const signed = bed.git('rev-parse', 'HEAD');
  const installed = await runUpdate(bed.context(settings));
  expect(installed.outcome).toBe('updated');
  expect(await bed.servingCommit()).toBe(signed);
  rmSync(keys, { recursive: true, force: true });
});
