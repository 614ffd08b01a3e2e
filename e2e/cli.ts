/**
 * `endpoint e2e read FILE…` prints each document's record as JSON (with warnings and entry
 * counts per section); `endpoint e2e validate FILE…` checks each file against the schema.
 * Both exit 1 when any file failed.
 */
import { readFile } from 'node:fs/promises';
import { EndpointError, describeError, isEndpointError } from '../core/errors';
import { readE2E } from './index';
import { validateE2EFiles } from './validate';

const USAGE = 'Usage: endpoint e2e read [--keep-note-text] FILE…\n       endpoint e2e validate FILE…';

async function readFiles(args: string[]): Promise<number> {
  const keepNoteText = args.includes('--keep-note-text');
  const files = args.filter((arg) => arg !== '--keep-note-text');
  if (files.length === 0) throw new EndpointError('USAGE', USAGE);
  let failed = 0;
  for (const file of files) {
    try {
      const { record, warnings, sections } = readE2E(await readFile(file), { keepNoteText });
      process.stdout.write(JSON.stringify({ file, record, warnings, sections }, null, 2) + '\n');
    } catch (error) {
      failed++;
      const code = isEndpointError(error) ? error.code : ((error as NodeJS.ErrnoException).code ?? 'INTERNAL');
      process.stderr.write(`${file}: ${code}: ${describeError(error)}\n`);
    }
  }
  return failed > 0 ? 1 : 0;
}

async function validateFiles(files: string[]): Promise<number> {
  if (files.length === 0) throw new EndpointError('USAGE', USAGE);
  const results = await validateE2EFiles(files);
  for (const result of results) {
    process.stdout.write(result.valid ? `OK ${result.file}\n` : `INVALID ${result.file}: ${result.errors[0]}\n`);
  }
  return results.every((result) => result.valid) ? 0 : 1;
}

/** Runs `endpoint e2e <subcommand>`. */
export async function run(args: string[]): Promise<number> {
  const [subcommand, ...rest] = args;
  switch (subcommand) {
    case 'read':
      return readFiles(rest);
    case 'validate':
      return validateFiles(rest);
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(USAGE + '\n');
      return 0;
    default:
      throw new EndpointError('USAGE', USAGE);
  }
}
