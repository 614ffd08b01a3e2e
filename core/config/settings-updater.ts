/** Settings of the updater (`endpoint update …`). Part of the one settings table (settings.ts). */
import type { SettingSpec } from './spec';

export const updaterSettings = {
  updateDeployDir: { env: 'ENDPOINT_UPDATE_DEPLOY_DIR', kind: 'path', default: '/opt/e2e-endpoint', doc: 'Deployment folder: `repo/` (the fetch clone), `releases/<commit>/`, and the `current` link the service runs from.' },
  updateRemote: { env: 'ENDPOINT_UPDATE_REMOTE', kind: 'string', default: undefined, doc: "The project's git remote (URL or path); unset: the fetch clone's existing origin." },
  updateBranch: { env: 'ENDPOINT_UPDATE_BRANCH', kind: 'string', default: 'main', doc: 'Remote branch that holds the latest stable version.' },
  updateFetchTimeoutSeconds: { env: 'ENDPOINT_UPDATE_FETCH_TIMEOUT_SECONDS', kind: 'int', default: '60', min: 1, doc: 'Longest a fetch from the remote may take (also the SSH connect timeout).' },
  updateStaleGitLockSeconds: { env: 'ENDPOINT_UPDATE_STALE_GIT_LOCK_SECONDS', kind: 'int', default: '600', min: 0, doc: 'A git `*.lock` file this old, with no git process running, is removed.' },
  updateAllowedSigners: { env: 'ENDPOINT_UPDATE_ALLOWED_SIGNERS', kind: 'path', default: undefined, doc: 'SSH allowed-signers file; set: only commits whose signature verifies are installed.' },
  updateWindow: { env: 'ENDPOINT_UPDATE_WINDOW', kind: 'string', default: undefined, doc: 'Cron expression of when a maintenance window opens (e.g. `0 2 * * *`); unset: any time.' },
  updateWindowMinutes: { env: 'ENDPOINT_UPDATE_WINDOW_MINUTES', kind: 'int', default: '120', min: 1, doc: 'How long a maintenance window stays open.' },
  updateIdleTimeoutSeconds: { env: 'ENDPOINT_UPDATE_IDLE_TIMEOUT_SECONDS', kind: 'int', default: '900', min: 0, doc: 'How long an update waits for the lock and an idle gateway before it is deferred.' },
  updatePollMs: { env: 'ENDPOINT_UPDATE_POLL_MS', kind: 'int', default: '1000', min: 20, doc: 'How often the gateway is asked while waiting (idle, ready, soak).' },
  updateDeferWarnMinutes: { env: 'ENDPOINT_UPDATE_DEFER_WARN_MINUTES', kind: 'int', default: '1440', min: 0, doc: 'An update deferred this long is reported as a warning (never forced).' },
  updateMinFreeMb: { env: 'ENDPOINT_UPDATE_MIN_FREE_MB', kind: 'int', default: '1024', min: 0, doc: 'Free disk space needed in the releases folder before a build starts.' },
  updateInstallCommand: { env: 'ENDPOINT_UPDATE_INSTALL_COMMAND', kind: 'string', default: 'MONGOMS_DISABLE_POSTINSTALL=1 npm ci --no-audit --no-fund', doc: 'Installs dependencies in a new release folder (shell command); the build needs the dev dependencies, the prune step removes them.' },
  updateBuildCommand: { env: 'ENDPOINT_UPDATE_BUILD_COMMAND', kind: 'string', default: 'npm run build', doc: 'Builds a new release folder (shell command).' },
  updatePruneCommand: { env: 'ENDPOINT_UPDATE_PRUNE_COMMAND', kind: 'string', default: 'npm prune --omit=dev --no-save --no-audit --no-fund', doc: 'After the build, removes what only the build needed (dev dependencies) from the release, before its self-test (shell command).' },
  updateSelfTestCommand: { env: 'ENDPOINT_UPDATE_SELF_TEST_COMMAND', kind: 'string', default: 'node dist/cli/main.js --help', doc: "The new release's quick self-test (shell command, run in its folder)." },
  updateBuildTimeoutSeconds: { env: 'ENDPOINT_UPDATE_BUILD_TIMEOUT_SECONDS', kind: 'int', default: '1800', min: 1, doc: 'Longest each of install, build, prune and self-test may take.' },
  updateRestartCommand: { env: 'ENDPOINT_UPDATE_RESTART_COMMAND', kind: 'string', default: 'systemctl reset-failed e2e-gateway.service; systemctl restart e2e-gateway.service', doc: 'Restarts the gateway from the `current` link (shell command). reset-failed first, so a start limit spent by a crashing release does not refuse the rollback. Without systemd: `node /opt/e2e-endpoint/current/dist/cli/main.js watchdog restart-gateway`.' },
  updateRestartTimeoutSeconds: { env: 'ENDPOINT_UPDATE_RESTART_TIMEOUT_SECONDS', kind: 'int', default: '120', min: 1, doc: 'Longest the restart command may take.' },
  updateDownSeconds: { env: 'ENDPOINT_UPDATE_DOWN_SECONDS', kind: 'int', default: '10', min: 1, doc: 'After a restart, nothing listening for this long, or the new process restarting, counts as a release that does not start: rolled back at once instead of after the verify time.' },
  updateVerifySeconds: { env: 'ENDPOINT_UPDATE_VERIFY_SECONDS', kind: 'int', default: '120', min: 1, doc: 'After a restart, how long the gateway has to be ready and report the new commit.' },
  updateSoakSeconds: { env: 'ENDPOINT_UPDATE_SOAK_SECONDS', kind: 'int', default: '60', min: 0, doc: 'After verification, how long the new version must keep answering before the update counts.' },
  updateKeepReleases: { env: 'ENDPOINT_UPDATE_KEEP_RELEASES', kind: 'int', default: '3', min: 2, doc: 'Release folders kept (the current and previous ones are never removed).' },
  updateSchedule: { env: 'ENDPOINT_UPDATE_SCHEDULE', kind: 'string', default: '*/15 * * * *', doc: 'Cron expression for `endpoint update schedule` (check and run).' },
} as const satisfies Record<string, SettingSpec>;
