/**
 * Issue 15, item 8: an admin running the updater as root leaves nothing the service user cannot
 * write. The CLI (a real child process) started by root becomes the owner of the state folder
 * (here nobody, uid 65534, standing in for e2e-endpoint) before it writes anything, so the
 * status files, the release folders and the fetch clone stay the service user's; the service
 * user's own next run works; another ordinary user is refused with the user to run it as.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { startGitDaemon, type GitDaemon } from '../updater/git-daemon';
import { UpdaterTestbed } from '../updater/testbed';

const CLI = path.join(__dirname, '..', '..', 'dist', 'cli', 'main.js');
const SERVICE_ID = 65534;

let bed: UpdaterTestbed;
/** The remote served by git daemon (as on a real box: a network remote, not a folder of another user). */
let daemon: GitDaemon;
let remoteUrl: string;

/** chown -R: every file and folder below `dir` (and `dir`) to uid/gid. */
function chownTree(dir: string, id: number): void {
  chownSync(dir, id, id);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) chownTree(full, id);
    else chownSync(full, id, id);
  }
}

/** Every path below `dir` whose owner is not `uid`. */
function notOwnedBy(dir: string, uid: number): string[] {
  const found: string[] = [];
  const walk = (current: string): void => {
    if (statSync(current).uid !== uid) found.push(path.relative(dir, current) || '.');
    if (!statSync(current).isDirectory()) return;
    for (const name of readdirSync(current)) walk(path.join(current, name));
  };
  walk(dir);
  return found;
}

function endpoint(args: string[], asUser?: number) {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, ...bed.env({ ENDPOINT_UPDATE_REMOTE: remoteUrl }) };
  const command =
    asUser === undefined
      ? [process.execPath, CLI, ...args]
      : ['setpriv', `--reuid=${asUser}`, `--regid=${asUser}`, '--clear-groups', process.execPath, CLI, ...args];
  return spawnSync(command[0], command.slice(1), { encoding: 'utf8', env, timeout: 60_000 });
}

beforeEach(async () => {
  bed = await UpdaterTestbed.create();
  chmodSync(bed.root, 0o755);
  daemon = await startGitDaemon(bed.root, 'remote.git');
  remoteUrl = daemon.url('remote.git');
  // The box as install.sh leaves it: state and deployment folders the service user's.
  expect(endpoint(['update', 'hold']).status).toBe(0); // makes the state folder (as root, before it is handed over)
  chownTree(bed.stateDir, SERVICE_ID);
  chownTree(bed.deployDir, SERVICE_ID);
});
afterEach(() => {
  daemon.stop();
  bed.destroy();
});

test("root runs 'update run' and 'update hold': it works as the state folder's owner, and the service user's next run works", () => {
  endpoint(['update', 'release-hold'], SERVICE_ID);
  const asRoot = endpoint(['update', 'run']);
  expect(asRoot.stderr).toMatch(/^endpoint update: running as nobody, the owner of the state folder$/m);
  expect(asRoot.stdout).toMatch(/^updated: now running/m);
  expect(endpoint(['update', 'hold']).status).toBe(0);
  expect(notOwnedBy(bed.stateDir, SERVICE_ID)).toEqual([]);
  expect(notOwnedBy(bed.deployDir, SERVICE_ID)).toEqual([]);

  // The service user (the timer's updater) carries on: no EACCES, no "dubious ownership".
  expect(endpoint(['update', 'release-hold'], SERVICE_ID).status).toBe(0);
  const second = bed.commit('second', { CHANGELOG: 'v2\n' });
  const asService = endpoint(['update', 'run'], SERVICE_ID);
  expect(asService.stderr).not.toMatch(/EACCES|dubious ownership/);
  expect(asService.stdout).toMatch(/^updated: now running/m);
  expect(readdirSync(path.join(bed.deployDir, 'releases'))).toContain(second);
});

test('another ordinary user is refused, naming the user to run it as; read-only commands still work', () => {
  const daemonUser = 1;
  const refused = endpoint(['update', 'hold'], daemonUser);
  expect(refused.status).toBe(1);
  expect(refused.stderr).toMatch(
    /^endpoint update: .*state belongs to nobody; 'endpoint update hold' writes state there, so run it as that user \(sudo -u nobody …\), not as daemon\.\n$/,
  );
  // Reading needs no switch: root's 'update status' changes no owner.
  expect(endpoint(['update', 'status']).stdout).toMatch(/^current: /);
  expect(notOwnedBy(bed.stateDir, SERVICE_ID)).toEqual([]);
});
