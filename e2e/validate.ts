/**
 * Validation of E2E documents against the PITO E2E-DTC schema (root CDA-PITO-E2E.xsd in the
 * `xsdDir` setting) with `xmllint --noout --schema` (Debian libxml2-utils). Many documents are
 * checked in one xmllint run (split only when the argument list would get too long).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../core/config/load';
import { EndpointError } from '../core/errors';

/** The root schema file inside the schema folder. */
export const ROOT_SCHEMA = 'CDA-PITO-E2E.xsd';

/** Files per xmllint run (keeps the argument list well under the system limit). */
const FILES_PER_RUN = 400;

/** The outcome for one file. */
export interface ValidationResult {
  /** The file checked (for documents given as text: `document-N.xml` in a temporary folder). */
  file: string;
  valid: boolean;
  /** xmllint's error lines for this file (empty when valid). */
  errors: string[];
}

/** Where the schemas are. */
export interface ValidateOptions {
  /** Folder holding CDA-PITO-E2E.xsd; default: the `xsdDir` setting (ENDPOINT_E2E_XSD_DIR). */
  xsdDir?: string;
}

/** The root schema path, checked to exist. */
export function schemaPath(options: ValidateOptions = {}): string {
  const dir = options.xsdDir ?? loadConfig().xsdDir;
  const file = path.join(dir, ROOT_SCHEMA);
  if (!existsSync(file))
    throw new EndpointError(
      'CONFIG_INVALID',
      `The E2E schema ${file} does not exist; set ENDPOINT_E2E_XSD_DIR to the folder holding ${ROOT_SCHEMA}.`,
    );
  return file;
}

function runXmllint(schema: string, files: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'xmllint',
      ['--noout', '--nonet', '--schema', schema, ...files],
      { maxBuffer: 256 * 1024 * 1024 },
      (error, _stdout, stderr) => {
        if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
          reject(new EndpointError('DEPENDENCY_MISSING', 'xmllint is not installed (Debian package libxml2-utils).'));
          return;
        }
        if (
          /failed to compile|Schemas parser error/.test(stderr) &&
          !files.some((file) => stderr.includes(`${file} validates`) || stderr.includes(`${file} fails`))
        ) {
          reject(new EndpointError('CONFIG_INVALID', `xmllint could not load the schema ${schema}.`));
          return;
        }
        resolve(stderr);
      },
    );
  });
}

function collect(files: string[], output: string): ValidationResult[] {
  const results = new Map<string, ValidationResult>(files.map((file) => [file, { file, valid: false, errors: [] }]));
  const ordered = [...files].sort((a, b) => b.length - a.length);
  for (const line of output.split('\n')) {
    if (line === '') continue;
    const file = ordered.find((candidate) => line.startsWith(candidate));
    if (file === undefined) continue;
    const rest = line.slice(file.length);
    const result = results.get(file)!;
    if (rest === ' validates') result.valid = true;
    else if (rest !== ' fails to validate') result.errors.push(line);
  }
  for (const result of results.values()) {
    if (result.valid && result.errors.length > 0) result.valid = false;
    if (!result.valid && result.errors.length === 0) result.errors.push(`${result.file}: does not validate`);
  }
  return files.map((file) => results.get(file)!);
}

/** Validates files on disk; one result per file, in order. */
export async function validateE2EFiles(
  files: readonly string[],
  options: ValidateOptions = {},
): Promise<ValidationResult[]> {
  if (files.length === 0) return [];
  const schema = schemaPath(options);
  const results: ValidationResult[] = [];
  for (let start = 0; start < files.length; start += FILES_PER_RUN) {
    const chunk = files.slice(start, start + FILES_PER_RUN);
    results.push(...collect(chunk, await runXmllint(schema, chunk)));
  }
  return results;
}

/**
 * Validates one or many documents given as text (written to a temporary folder, checked in
 * one xmllint run, removed). One result per document, in order.
 */
export async function validateE2E(
  documents: string | readonly string[],
  options: ValidateOptions = {},
): Promise<ValidationResult[]> {
  const list = typeof documents === 'string' ? [documents] : documents;
  if (list.length === 0) return [];
  const dir = await mkdtemp(path.join(os.tmpdir(), 'e2e-validate-'));
  try {
    const files = list.map((_, index) => path.join(dir, `document-${index}.xml`));
    await Promise.all(files.map((file, index) => writeFile(file, list[index])));
    return await validateE2EFiles(files, options);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
