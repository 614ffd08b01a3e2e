/**
 * Argument parsing for the part CLIs: node's `util.parseArgs`, with unknown options and
 * missing values turned into a USAGE error (exit 2) that names the option.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { EndpointError } from './errors';

/** Parses `args` with the given options; throws a USAGE error on anything it does not know. */
export function parseCommandArgs<T extends ParseArgsConfig['options']>(args: string[], options: T, usage: string) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new EndpointError('USAGE', `${message}\n${usage}`);
  }
}

/** Parses a whole-number option, or throws a USAGE error naming it. */
export function intOption(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new EndpointError('USAGE', `--${name} takes a whole number, not '${value}'.`);
  return Number(value);
}
