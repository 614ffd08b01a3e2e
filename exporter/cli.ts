/**
 * `endpoint export …`: `run [--full | --since last] [--out DIR] [--allow-writable-account]`
 * for cron and OSP admins, `schedule` (node-cron after each backup), `status`.
 */
import { loadConfig, requireSetting, type Config } from '../core/config/load';
import { parseCommandArgs } from '../core/cli-args';
import { EndpointError } from '../core/errors';
import { createLogger, type Logger } from '../core/logger';
import { LogProgress, TerminalProgress, summaryTable } from './run/progress';
import { runExport, type ExportRunResult } from './run/export-run';
import { ExportState, type ExportMode } from './run/state';
import { readExportStatus, writeExportStatus } from './run/status';
import { describeBackupVerdict, NO_MARKER_WARNING, startSchedule, waitForBackupMarker } from './schedule';
import { FileTransport, HttpTransport, type DocumentTransport } from './send/transport';

const USAGE = `Usage: endpoint export <command>
  run [--full | --since last] [--out DIR] [--allow-writable-account] [--wait-for-backup]
        export active patients from the backup OSCAR database to the gateway (or to DIR as .xml files);
        --full (default) sends everyone and lets the gateway remove the rest; --since last sends the changes;
        --wait-for-backup first waits (up to ENDPOINT_BACKUP_WAIT_MS) for ENDPOINT_BACKUP_MARKER to be newer
        than the last run, as the systemd timer and cron entries do
  schedule [--full | --since last] [--out DIR]
        run an export at ENDPOINT_EXPORT_SCHEDULE once the backup marker is fresh (until SIGTERM)
  status  print export-status.json and the run state`;

/** Parsed options of `run` and `schedule`. */
interface RunFlags {
  mode: ExportMode;
  outDir?: string;
  allowWritableAccount: boolean;
  waitForBackup?: boolean;
}

function parseRunFlags(args: string[]): RunFlags {
  const { values, positionals } = parseCommandArgs(
    args,
    { full: { type: 'boolean' }, since: { type: 'string' }, out: { type: 'string' }, 'allow-writable-account': { type: 'boolean' }, 'wait-for-backup': { type: 'boolean' } },
    USAGE,
  );
  if (positionals.length > 0) throw new EndpointError('USAGE', `unexpected argument '${positionals[0]}'.\n${USAGE}`);
  if (values.since !== undefined && values.since !== 'last') throw new EndpointError('USAGE', `--since takes 'last', not '${values.since}'.`);
  if (values.since !== undefined && values.full) throw new EndpointError('USAGE', '--full and --since last exclude each other.');
  return { mode: values.since === 'last' ? 'differential' : 'full', outDir: values.out, allowWritableAccount: values['allow-writable-account'] === true, waitForBackup: values['wait-for-backup'] === true };
}

function transportFor(config: Config, flags: RunFlags): DocumentTransport {
  if (flags.outDir !== undefined) return new FileTransport(flags.outDir);
  return new HttpTransport({
    gatewayUrl: config.gatewayUrl,
    ingestToken: requireSetting(config, 'ingestToken', 'to send documents to the gateway (or use --out DIR)'),
    connections: config.exportConcurrency,
    retries: config.exportRetries,
    retryBaseMs: config.exportRetryBaseMs,
    requestTimeoutMs: config.requestTimeoutMs,
    outageMs: config.exportOutageSeconds * 1000,
  });
}

/** Runs one export with the config and flags; prints the summary table; returns the exit code. */
export async function exportOnce(config: Config, flags: RunFlags, logger: Logger): Promise<number> {
  const transport = transportFor(config, flags);
  let result: ExportRunResult;
  try {
    result = await runExport({
      oscarUrl: config.oscarUrl,
      allowWritableAccount: flags.allowWritableAccount || config.allowWritableAccount,
      stateDir: config.stateDir,
      mode: flags.mode,
      transport,
      outDir: flags.outDir,
      batchSize: config.exportBatchSize,
      concurrency: config.exportConcurrency,
      includeNoteText: config.exportNoteText,
      consentProviders: config.consentProviders,
      lockWaitMs: config.exportLockWaitSeconds * 1000,
      logger,
      progress: process.stderr.isTTY ? new TerminalProgress(process.stderr) : new LogProgress(logger),
    });
  } finally {
    await transport.close();
  }
  const completion = result.completion === undefined ? undefined : result.completion.swept ? 'sweep done' : `no sweep: ${result.completion.reason ?? 'not performed'}`;
  process.stdout.write(
    summaryTable(result.summary, {
      leftActive: result.summary.mode === 'differential' ? result.leftActive.length : undefined,
      queries: result.queryCount,
      seconds: result.seconds,
      completion,
      failures: result.failures,
    }) + '\n',
  );
  return result.exitCode;
}

async function runSchedule(config: Config, flags: RunFlags, logger: Logger): Promise<number> {
  const state = new ExportState(config.stateDir);
  const schedule = startSchedule({
    expression: config.exportSchedule,
    marker: config.backupMarker,
    waitMs: config.backupWaitMs,
    lastRunStartedAt: () => {
      const at = state.read().lastRunStartedAt;
      return at === undefined ? undefined : new Date(at);
    },
    runOnce: () => exportOnce(config, flags, logger),
    logger,
  });
  logger.info({ schedule: config.exportSchedule, marker: config.backupMarker !== undefined }, 'export schedule started');
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  logger.info('stop signal: no new export starts; an export in progress finishes first');
  await schedule.stop();
  return 0;
}

/**
 * Waits for the OSP's backup marker to be newer than the last run. Without a marker it warns
 * and goes on; a marker that stays old or does not exist stops the run with the reason.
 */
async function waitForFreshBackup(config: Config, mode: ExportMode, logger: Logger): Promise<void> {
  const at = new ExportState(config.stateDir).read().lastRunStartedAt;
  const verdict = await waitForBackupMarker({ marker: config.backupMarker, newerThan: at === undefined ? undefined : new Date(at), waitMs: config.backupWaitMs });
  if (verdict.kind === 'unset') {
    logger.warn(NO_MARKER_WARNING);
    process.stderr.write(`endpoint export: warning: ${NO_MARKER_WARNING}\n`);
  } else if (verdict.kind !== 'fresh') {
    const error = new EndpointError('TIMEOUT', `${describeBackupVerdict(verdict, config.backupMarker, config.backupWaitMs)}; no export was started.`);
    // The night without an export shows in `check export` at once, not 26 h later.
    const now = new Date().toISOString();
    writeExportStatus(config.stateDir, {
      runId: 'not-started', mode, transport: 'http', status: 'failed', startedAt: now, finishedAt: now, patientsTotal: 0,
      outcomes: { created: 0, updated: 0, unchanged: 0, rejected: 0, failed: 0 }, warnings: {}, error: `no export: ${error.message}`,
    });
    throw error;
  }
}

/** `endpoint export …` */
export async function run(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE + '\n');
    return command === undefined ? 2 : 0;
  }
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel, base: { part: 'exporter' } });
  switch (command) {
    case 'run': {
      const flags = parseRunFlags(rest);
      if (flags.waitForBackup) await waitForFreshBackup(config, flags.mode, logger);
      return exportOnce(config, flags, logger);
    }
    case 'schedule':
      return runSchedule(config, parseRunFlags(rest), logger);
    case 'status': {
      const state = new ExportState(config.stateDir).read();
      process.stdout.write(JSON.stringify({ status: readExportStatus(config.stateDir), state: { ...state, leftActivePending: state.leftActivePending.length } }, null, 2) + '\n');
      return 0;
    }
    default:
      throw new EndpointError('USAGE', `unknown export command '${command}'.\n${USAGE}`);
  }
}
