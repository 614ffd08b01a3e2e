/**
 * `endpoint watchdog run [--supervise] | restart-gateway | status [--json]`: the gateway
 * watchdog, the restart a supervised gateway gets on request (the updater's restart command
 * without systemd), and a look at its status file. One watchdog per state folder
 * (`watchdog.lock`): a second `run` says so and exits 0, so a crontab line can start it every
 * minute.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseCommandArgs } from '../core/cli-args';
import { loadConfig, type Config } from '../core/config/load';
import { EndpointError, isEndpointError } from '../core/errors';
import { readJsonFile } from '../core/files';
import { acquireLock, isLockHeld, readLock } from '../core/lock';
import { createLogger } from '../core/logger';
import { statusFilePath, type WatchdogStatusFile } from '../core/status-files';
import { supervisedPidFile, Watchdog } from './watchdog';

const USAGE = `Usage: endpoint watchdog run [--supervise]   probe the gateway; restart it when crashed or hung
       endpoint watchdog restart-gateway      have the supervising watchdog restart the gateway from 'current' now
       endpoint watchdog status [--json]      show the watchdog's status file
--supervise: start the gateway as a child process (ENDPOINT_WATCHDOG_GATEWAY_COMMAND, run in the deployment's
'current' release) instead of using ENDPOINT_WATCHDOG_RESTART_COMMAND. Without systemd, set
ENDPOINT_UPDATE_RESTART_COMMAND to 'node /opt/e2e-endpoint/current/dist/cli/main.js watchdog restart-gateway'.`;

const OPTIONS = {
  supervise: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The lock file naming the running watchdog. */
export function watchdogLockFile(stateDir: string): string {
  return path.join(stateDir, 'watchdog.lock');
}

const SUPERVISING_OWNER = 'watchdog --supervise';

async function runWatchdog(supervise: boolean): Promise<number> {
  const config = loadConfig();
  let lock;
  try {
    lock = acquireLock(watchdogLockFile(config.stateDir), supervise ? SUPERVISING_OWNER : 'watchdog');
  } catch (error) {
    if (!isEndpointError(error, 'LOCKED')) throw error;
    process.stdout.write(`a watchdog already runs for ${config.stateDir}: ${error.message} Nothing to do.\n`);
    return 0;
  }
  const log = createLogger({ level: config.logLevel, base: { part: 'watchdog' } });
  const watchdog = new Watchdog({ config, supervise, log });
  const stop = (): void => watchdog.stop();
  const restart = (): void => void watchdog.requestRestart('restart requested (SIGHUP)');
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.on('SIGHUP', restart);
  try {
    await watchdog.run();
  } finally {
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
    process.off('SIGHUP', restart);
    lock.release();
  }
  return 0;
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Asks the supervising watchdog (SIGHUP) to restart the gateway and waits until a new gateway
 * process runs. Exit 0 once it runs (whether it then becomes ready is for the caller to check),
 * 1 when no supervising watchdog runs or no new process appeared in time.
 */
async function restartGateway(config: Config): Promise<number> {
  const lockFile = watchdogLockFile(config.stateDir);
  const holder = readLock(lockFile);
  if (holder === undefined || !isLockHeld(lockFile)) {
    throw new EndpointError(
      'SERVICE_UNAVAILABLE',
      `no watchdog runs for ${config.stateDir}; start it ('endpoint watchdog run --supervise', the crontab's watchdog line) and try again.`,
    );
  }
  if (holder.owner !== SUPERVISING_OWNER) {
    throw new EndpointError(
      'CONFIG_INVALID',
      `the watchdog (pid ${holder.pid}) does not supervise the gateway; restart it with its service manager (ENDPOINT_WATCHDOG_RESTART_COMMAND: ${config.watchdogRestartCommand}).`,
    );
  }
  const pidFile = supervisedPidFile(config.stateDir);
  const before = readPid(pidFile);
  process.kill(holder.pid, 'SIGHUP');
  const limitMs = config.watchdogReportWaitMs + config.watchdogDrainDeadlineMs + 30_000;
  const deadline = Date.now() + limitMs;
  for (;;) {
    const now = readPid(pidFile);
    if (now !== undefined && now !== before) {
      process.stdout.write(`gateway restarted by the watchdog (pid ${holder.pid}): new gateway pid ${now}\n`);
      return 0;
    }
    if (Date.now() > deadline) {
      throw new EndpointError(
        'TIMEOUT',
        `the watchdog (pid ${holder.pid}) did not start a new gateway within ${Math.round(limitMs / 1000)} s; see its log.`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function showStatus(json: boolean): number {
  const config = loadConfig();
  const file = statusFilePath(config.stateDir, 'watchdog');
  const status = readJsonFile<WatchdogStatusFile>(file);
  if (status === undefined) {
    process.stderr.write(`No watchdog status at ${file}: the watchdog has not run here.\n`);
    return 1;
  }
  if (json) {
    process.stdout.write(JSON.stringify(status, null, 2) + '\n');
  } else {
    const lines = [
      `state: ${status.state} since ${status.since}`,
      status.message ? `why: ${status.message}` : undefined,
      `last probe: ${status.lastProbeAt ?? 'none'}${status.lastLatencyMs !== undefined ? ` (livez ${status.lastLatencyMs} ms)` : ''}`,
      `restarts in 24 h: ${status.restarts.length}${status.lastRestartReason ? ` (last: ${status.lastRestartReason})` : ''}`,
    ];
    process.stdout.write(lines.filter((line) => line !== undefined).join('\n') + '\n');
  }
  return status.state === 'healthy' ? 0 : 1;
}

/** Runs `endpoint watchdog …` and returns the exit code. */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, OPTIONS, USAGE);
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const [action] = positionals;
  if (action === 'run' && positionals.length === 1) return runWatchdog(values.supervise === true);
  if (action === 'restart-gateway' && positionals.length === 1) return restartGateway(loadConfig());
  if (action === 'status' && positionals.length === 1) return showStatus(values.json === true);
  throw new EndpointError('USAGE', USAGE);
}
