#!/usr/bin/env node
/**
 * The `endpoint` command: one CLI, a subcommand per part, each part's code in its own folder.
 * Errors the software means (EndpointError) print one sentence; usage errors exit 2.
 */
import { loadConfig } from '../core/config/load';
import { EndpointError, describeError } from '../core/errors';
import { runAsStateOwner } from '../core/state-owner';

/** A part's command-line entry: runs with the arguments after its name, returns the exit code. */
export type CommandRunner = (args: string[]) => Promise<number>;

interface Subcommand {
  summary: string;
  load: () => Promise<CommandRunner>;
}

/** The subcommands, in the order `--help` lists them. */
const SUBCOMMANDS: Record<string, Subcommand> = {
  export: { summary: 'OSCAR → E2E → gateway (run [--full|--since last] [--out DIR], schedule, status)', load: async () => (await import('../exporter/cli')).run },
  gateway: { summary: 'the gateway service (start, status, wipe, delete, reimport, drain, undrain, import DIR, held, release ID)', load: async () => (await import('../gateway/cli')).run },
  update: { summary: 'self-update from git when idle (check, run, schedule, status, hold, release-hold, pin, retry)', load: async () => (await import('../updater/cli')).run },
  watchdog: { summary: 'restart a crashed or hung gateway (run [--supervise], status)', load: async () => (await import('../monitor/watchdog-cli')).run },
  check: { summary: 'Nagios checks (gateway, export, update)', load: async () => (await import('../monitor/check-cli')).run },
  e2e: { summary: 'read or validate E2E documents (read FILE…, validate FILE…)', load: async () => (await import('../e2e/cli')).run },
  dev: { summary: 'developer tools (make-clinic, services, config-docs)', load: async () => (await import('../dev/cli')).run },
};

/** Subcommands that write to the state folder (`<part> <action>`); they run as its owner. */
const STATE_WRITERS: Record<string, readonly string[]> = {
  export: ['run', 'schedule'],
  update: ['check', 'run', 'schedule', 'hold', 'release-hold', 'pin', 'retry'],
  watchdog: ['run'],
  gateway: ['start'],
};

/**
 * Before a command that writes state: as root, become the state folder's owner (and say so on
 * stderr); as another user, refuse. Other commands run as whoever started them.
 */
function adoptStateOwner(name: string, rest: string[]): void {
  const action = rest.find((word) => !word.startsWith('-'));
  if (action === undefined || !STATE_WRITERS[name]?.includes(action) || rest.includes('--help') || rest.includes('-h')) return;
  const switched = runAsStateOwner(loadConfig().stateDir, `endpoint ${name} ${action}`);
  if (switched.kind === 'switched') process.stderr.write(`endpoint ${name}: running as ${switched.user}, the owner of the state folder\n`);
}

/** The top-level help text. */
export function helpText(): string {
  const width = Math.max(...Object.keys(SUBCOMMANDS).map((name) => name.length));
  const lines = Object.entries(SUBCOMMANDS).map(([name, sub]) => `  ${name.padEnd(width)}  ${sub.summary}`);
  return ['Usage: endpoint <command> [arguments]', '', 'Commands:', ...lines, '', "Run 'endpoint <command> --help' for a command's options."].join('\n');
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(helpText() + '\n');
    return name === undefined ? 2 : 0;
  }
  const sub = SUBCOMMANDS[name];
  if (sub === undefined) {
    process.stderr.write(`endpoint: unknown command '${name}'.\n\n${helpText()}\n`);
    return 2;
  }
  try {
    adoptStateOwner(name, rest);
    return await (await sub.load())(rest);
  } catch (error) {
    if (error instanceof EndpointError) {
      process.stderr.write(`endpoint ${name}: ${error.message}\n`);
      return error.code === 'USAGE' ? 2 : 1;
    }
    const cause = (error as { cause?: unknown }).cause;
    process.stderr.write(`endpoint ${name}: internal error: ${describeError(error)}${cause === undefined ? '' : ` (${describeError(cause)})`}\n`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`endpoint: ${describeError(error)}\n`);
      process.exitCode = 1;
    },
  );
}
