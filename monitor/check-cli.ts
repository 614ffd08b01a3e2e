/**
 * `endpoint check gateway|export|update`: Nagios plugins. One line on stdout,
 * `SERVICE STATUS: text | perfdata`, and the exit code 0/1/2/3; bad arguments, bad settings
 * and unreadable files are UNKNOWN (3), never a stack trace.
 */
import { certificateValidity, type CertificateValidity } from '../core/certificates';
import { loadConfig, type Config } from '../core/config/load';
import { parseCommandArgs } from '../core/cli-args';
import { EndpointError } from '../core/errors';
import { readJsonFile } from '../core/files';
import { statusFilePath, type ExportStatusFile, type UpdateStatusFile, type WatchdogStatusFile } from '../core/status-files';
import { checkGateway } from './nagios/check-gateway';
import { rateExport, rateUpdate } from './nagios/check-files';
import { formatPluginLine, PLUGIN_STATUS, type PluginResult } from './nagios/plugin-output';
import { parseRange } from './nagios/threshold-range';

const USAGE = `Usage: endpoint check gateway [-H URL] [-w MS] [-c MS] [--restarts-warning N] [--restarts-critical N] [-t SECONDS]
       endpoint check export [-w HOURS] [-c HOURS] [--failed-warning N] [--failed-critical N] [--rejected-warning N] [--rejected-critical N]
       endpoint check update [-w HOURS] [-c HOURS] [--fetch-warning HOURS] [--fetch-critical HOURS]
Thresholds are Nagios ranges (10, 10:, ~:10, 10:20, @10:20). --state-dir DIR overrides ENDPOINT_STATE_DIR.
Exit: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.`;

const OPTIONS = {
  warning: { type: 'string', short: 'w' },
  critical: { type: 'string', short: 'c' },
  timeout: { type: 'string', short: 't' },
  url: { type: 'string', short: 'H' },
  'state-dir': { type: 'string' },
  'restarts-warning': { type: 'string' },
  'restarts-critical': { type: 'string' },
  'failed-warning': { type: 'string' },
  'failed-critical': { type: 'string' },
  'rejected-warning': { type: 'string' },
  'rejected-critical': { type: 'string' },
  'fetch-warning': { type: 'string' },
  'fetch-critical': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const SERVICES = { gateway: 'GATEWAY', export: 'EXPORT', update: 'UPDATE' } as const;
type CheckName = keyof typeof SERVICES;

type Values = ReturnType<typeof parseCommandArgs<typeof OPTIONS>>['values'];

function optionalRange(text: string | undefined, option: string) {
  return text === undefined ? undefined : parseRange(text, option);
}

function readStatus<T>(file: string): T | undefined {
  try {
    return readJsonFile<T>(file);
  } catch (error) {
    throw new EndpointError('INVALID_REQUEST', `${file} cannot be read: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function timeoutMs(values: Values): number {
  const text = values.timeout ?? '10';
  if (!/^\d+(\.\d+)?$/.test(text) || Number(text) <= 0) throw new EndpointError('USAGE', `-t takes seconds (a positive number), not '${text}'.`);
  return Math.round(Number(text) * 1000);
}

/** The server and hub CA certificates when TLS is configured (or why they could not be read). */
function certificatesOf(config: Config, now: number): CertificateValidity[] | { error: string } | undefined {
  if (config.tlsCert === undefined) return undefined;
  try {
    return [certificateValidity('tlsCert', config.tlsCert, now), ...(config.hubCa === undefined ? [] : [certificateValidity('hubCa', config.hubCa, now)])];
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

async function runCheck(name: CheckName, values: Values, config: Config, stateDir: string): Promise<PluginResult> {
  const now = Date.now();
  if (name === 'gateway') {
    const deadline = timeoutMs(values);
    return checkGateway({
      gatewayUrl: values.url ?? config.gatewayUrl,
      timeoutMs: deadline,
      latencyWarning: parseRange(values.warning ?? config.checkGatewayLatencyWarning, '-w'),
      latencyCritical: parseRange(values.critical ?? config.checkGatewayLatencyCritical, '-c'),
      restartsWarning: parseRange(values['restarts-warning'] ?? config.checkGatewayRestartsWarning, '--restarts-warning'),
      restartsCritical: parseRange(values['restarts-critical'] ?? config.checkGatewayRestartsCritical, '--restarts-critical'),
      watchdog: readStatus<WatchdogStatusFile>(statusFilePath(stateDir, 'watchdog')),
      watchdogStaleMs: config.checkWatchdogStaleSeconds * 1000,
      certificates: certificatesOf(config, now),
      certWarningDays: config.checkCertWarningDays,
      certCriticalDays: config.checkCertCriticalDays,
      now,
    });
  }
  timeoutMs(values); // validated, though reading a file does not wait
  if (name === 'export') {
    const limits = {
      ageWarning: parseRange(values.warning ?? config.checkExportWarningHours, '-w'),
      ageCritical: parseRange(values.critical ?? config.checkExportCriticalHours, '-c'),
      failedWarning: parseRange(values['failed-warning'] ?? '0', '--failed-warning'),
      failedCritical: optionalRange(values['failed-critical'], '--failed-critical'),
      rejectedWarning: optionalRange(values['rejected-warning'], '--rejected-warning'),
      rejectedCritical: optionalRange(values['rejected-critical'], '--rejected-critical'),
    };
    const file = statusFilePath(stateDir, 'export');
    const status = readStatus<ExportStatusFile>(file);
    if (status === undefined) return { status: 'UNKNOWN', text: `no ${file}: the exporter has not run here yet`, perfdata: [] };
    return rateExport(status, now, limits);
  }
  const limits = {
    deferredWarning: parseRange(values.warning ?? config.checkUpdateWarningHours, '-w'),
    deferredCritical: parseRange(values.critical ?? config.checkUpdateCriticalHours, '-c'),
    fetchWarning: parseRange(values['fetch-warning'] ?? config.checkUpdateFetchWarningHours, '--fetch-warning'),
    fetchCritical: parseRange(values['fetch-critical'] ?? config.checkUpdateFetchCriticalHours, '--fetch-critical'),
  };
  const file = statusFilePath(stateDir, 'update');
  const status = readStatus<UpdateStatusFile>(file);
  if (status === undefined) return { status: 'UNKNOWN', text: `no ${file}: the updater has not run here yet`, perfdata: [] };
  return rateUpdate(status, now, limits);
}

/** Runs `endpoint check …`; prints one line and returns the Nagios exit code. */
export async function run(args: string[]): Promise<number> {
  const service = SERVICES[args[0] as CheckName] ?? 'ENDPOINT';
  let result: PluginResult;
  try {
    const { values, positionals } = parseCommandArgs(args, OPTIONS, USAGE);
    if (values.help) {
      process.stdout.write(USAGE + '\n');
      return PLUGIN_STATUS.UNKNOWN;
    }
    const name = positionals[0];
    if (positionals.length !== 1 || !(name in SERVICES)) throw new EndpointError('USAGE', `say which check: gateway, export or update. ${USAGE.split('\n')[0]}`);
    const config = loadConfig();
    const stateDir = values['state-dir'] ?? config.stateDir;
    result = await runCheck(name as CheckName, values, config, stateDir);
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    result = { status: 'UNKNOWN', text: message, perfdata: [] };
  }
  process.stdout.write(formatPluginLine(service, result) + '\n');
  return PLUGIN_STATUS[result.status];
}
