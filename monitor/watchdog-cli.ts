/**
 * `endpoint watchdog run [--supervise] | status [--json]`: the gateway watchdog, and a look at
 * its status file.
 */
import { parseCommandArgs } from '../core/cli-args';
import { loadConfig } from '../core/config/load';
import { EndpointError } from '../core/errors';
import { readJsonFile } from '../core/files';
import { createLogger } from '../core/logger';
import { statusFilePath, type WatchdogStatusFile } from '../core/status-files';
import { Watchdog } from './watchdog';

const USAGE = `Usage: endpoint watchdog run [--supervise]   probe the gateway; restart it when crashed or hung
       endpoint watchdog status [--json]      show the watchdog's status file
--supervise: start the gateway as a child process (ENDPOINT_WATCHDOG_GATEWAY_COMMAND) instead of
using ENDPOINT_WATCHDOG_RESTART_COMMAND.`;

const OPTIONS = {
  supervise: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

async function runWatchdog(supervise: boolean): Promise<number> {
  const config = loadConfig();
  const log = createLogger({ level: config.logLevel, base: { part: 'watchdog' } });
  const watchdog = new Watchdog({ config, supervise, log });
  const stop = (): void => watchdog.stop();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  try {
    await watchdog.run();
  } finally {
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
  }
  return 0;
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
  if (action === 'status' && positionals.length === 1) return showStatus(values.json === true);
  throw new EndpointError('USAGE', USAGE);
}
