/**
 * `endpoint update check|run|schedule|status|hold|release-hold|pin|retry`.
 * Exit codes: 0 done (updated, up to date, deferred, held); 1 failed or refused; 2 usage.
 */
import pino from 'pino';
import { loadConfig } from '../core/config/load';
import { parseCommandArgs } from '../core/cli-args';
import { EndpointError } from '../core/errors';
import { createLogger } from '../core/logger';
import { clearPin, pinCommit, retryFailed, setHold } from './admin-actions';
import { createUpdaterContext, type UpdaterContext } from './context';
import { runSchedule } from './schedule';
import { checkForUpdate, short } from './update-check';
import { runUpdate } from './update-run';

const USAGE = `Usage: endpoint update <command>

Commands:
  check             fetch and show what would be installed (changes nothing)
  run               install the pending update if the gateway is idle (verify, roll back on failure)
  schedule          check and run on ENDPOINT_UPDATE_SCHEDULE until stopped
  status [--json]   show update-status.json
  hold              stop updates until release-hold
  release-hold      allow updates again
  pin <commit>      stay on this commit (pin --clear to follow the branch again)
  retry [commit]    forget failed commits (and a CRITICAL state) so they are tried again`;

function print(line: string): void {
  process.stdout.write(line + '\n');
}

/** Runs `endpoint update …`; returns the exit code. */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { help: { type: 'boolean', short: 'h' }, json: { type: 'boolean' }, clear: { type: 'boolean' } }, USAGE);
  const [command, ...rest] = positionals;
  if (values.help === true || command === undefined) {
    print(USAGE);
    return command === undefined && values.help !== true ? 2 : 0;
  }
  const config = loadConfig();
  const log = createLogger({ level: config.logLevel, base: { part: 'updater' }, destination: pino.destination({ fd: 2, sync: true }) });
  const context = createUpdaterContext(config, log);
  switch (command) {
    case 'check':
      return check(context);
    case 'run': {
      const report = await runUpdate(context);
      if (report.repaired !== undefined) print(`repaired: ${report.repaired}`);
      print(`${report.outcome}: ${report.message}`);
      return ['no-change', 'updated', 'deferred', 'held'].includes(report.outcome) ? 0 : 1;
    }
    case 'schedule':
      return runSchedule(context, config.updateSchedule);
    case 'status':
      return status(context, values.json === true);
    case 'hold':
      setHold(context, true);
      print('updates held');
      return 0;
    case 'release-hold':
      setHold(context, false);
      print('updates allowed');
      return 0;
    case 'pin':
      if (values.clear === true) {
        clearPin(context);
        print('pin cleared; following the branch again');
        return 0;
      }
      if (rest[0] === undefined) throw new EndpointError('USAGE', `pin needs a commit (or --clear).\n${USAGE}`);
      print(`pinned to ${await pinCommit(context, rest[0])}`);
      return 0;
    case 'retry': {
      const forgotten = retryFailed(context, rest[0]);
      print(forgotten.length === 0 ? 'no failed commit to forget' : `will try again: ${forgotten.map(short).join(', ')}`);
      return 0;
    }
    default:
      throw new EndpointError('USAGE', `unknown update command '${command}'.\n${USAGE}`);
  }
}

async function check(context: UpdaterContext): Promise<number> {
  const report = await checkForUpdate(context);
  print(`${report.verdict}: ${report.message}`);
  print(`current: ${report.current ?? '(none)'}`);
  if (report.remote !== undefined) print(`remote:  ${report.remote}`);
  if (report.target !== undefined && report.target !== report.current) {
    print(`pending: ${report.target}`);
    for (const line of report.changes) print(`  ${line}`);
  }
  return report.verdict === 'fetch-failed' || report.verdict === 'refused' ? 1 : 0;
}

function status(context: UpdaterContext, json: boolean): number {
  const file = context.status.read();
  if (json) {
    print(JSON.stringify(file, null, 2));
    return 0;
  }
  const result = file.lastResult;
  print(`current:      ${file.current ?? '(unknown)'}`);
  print(`pending:      ${file.pending ?? '(none)'}`);
  print(`last check:   ${file.lastCheckAt ?? '(never)'}; last fetch: ${file.lastFetchAt ?? '(never)'}`);
  print(`last result:  ${result === undefined ? '(none)' : `${result.outcome} at ${result.at}: ${result.message}`}`);
  print(`failed:       ${file.failedCommits.length === 0 ? '(none)' : file.failedCommits.map(short).join(', ')}`);
  if (file.deferredSince !== undefined) print(`deferred since ${file.deferredSince}`);
  if (file.held === true) print('HELD: updates stopped (endpoint update release-hold)');
  if (file.pinned !== undefined) print(`pinned to ${file.pinned}`);
  if (file.warning !== undefined) print(`WARNING: ${file.warning}`);
  if (file.critical !== undefined) print(`CRITICAL: ${file.critical}`);
  const journal = context.journal.read();
  if (journal !== undefined) print(`interrupted update (${journal.phase} ${short(journal.commit)}): repaired at the next 'run'`);
  return file.critical !== undefined ? 1 : 0;
}
