/**
 * `endpoint dev …`: developer tools. `make-clinic` fills a MariaDB database with a synthetic
 * OSCAR clinic; `services` finds or starts MariaDB and a Mongo-wire server and says which.
 */
import { intOption, parseCommandArgs } from '../core/cli-args';
import { loadConfig } from '../core/config/load';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderConfigTable, renderEnvExample } from '../core/config/docs';
import { EndpointError } from '../core/errors';
import { PROJECT_ROOT } from '../core/paths';
import { makeClinic, type OscarSchemaVariant } from './clinic/make-clinic';
import { ensureMariaDb } from './services/mariadb';
import { findOrStartMongo } from './services/mongo';

const USAGE = `Usage:
  endpoint dev make-clinic [--patients N] [--seed S] [--database D] [--schema 12.1|latest]
  endpoint dev services
  endpoint dev config-docs   (rewrites the README's configuration table and deploy/endpoint.env.example)`;

async function makeClinicCommand(args: string[]): Promise<number> {
  const { values } = parseCommandArgs(
    args,
    {
      patients: { type: 'string' },
      seed: { type: 'string' },
      database: { type: 'string' },
      schema: { type: 'string' },
      help: { type: 'boolean' },
    },
    USAGE,
  );
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const schema = values.schema ?? 'latest';
  if (schema !== '12.1' && schema !== 'latest') throw new EndpointError('USAGE', `--schema takes 12.1 or latest, not '${schema}'.`);
  const config = loadConfig();
  const url = new URL(config.oscarUrl);
  if (values.database !== undefined) url.pathname = `/${values.database}`;
  await ensureMariaDb(url.toString());
  const summary = await makeClinic({
    oscarUrl: url.toString(),
    patients: intOption(values.patients, 'patients', 500),
    seed: intOption(values.seed, 'seed', 1),
    schema: schema as OscarSchemaVariant,
  });
  process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
  return 0;
}

async function servicesCommand(): Promise<number> {
  const config = loadConfig();
  await ensureMariaDb(config.oscarUrl);
  process.stdout.write(`MariaDB: answering at ${new URL(config.oscarUrl).host}\n`);
  const mongo = await findOrStartMongo(config.mongodbUrl);
  process.stdout.write(`Mongo-wire server: ${mongo.kind} at ${mongo.uri}\n`);
  await mongo.stop();
  return 0;
}

const CONFIG_MARKERS = ['<!-- config:start -->', '<!-- config:end -->'] as const;

/** The README text with its configuration table replaced by the current rendering. */
export function readmeWithConfigTable(readme: string): string {
  const [start, end] = CONFIG_MARKERS;
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  if (from < 0 || to < from) throw new EndpointError('INTERNAL', `README.md lacks the ${start} … ${end} markers.`);
  return `${readme.slice(0, from + start.length)}\n${renderConfigTable()}\n${readme.slice(to)}`;
}

async function configDocsCommand(): Promise<number> {
  const readmePath = path.join(PROJECT_ROOT, 'README.md');
  writeFileSync(readmePath, readmeWithConfigTable(readFileSync(readmePath, 'utf8')));
  writeFileSync(path.join(PROJECT_ROOT, 'deploy', 'endpoint.env.example'), renderEnvExample());
  process.stdout.write('README.md and deploy/endpoint.env.example rewritten from core/config/settings.ts\n');
  return 0;
}

/** Runs `endpoint dev <subcommand>`. */
export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'make-clinic':
      return makeClinicCommand(rest);
    case 'services':
      return servicesCommand();
    case 'config-docs':
      return configDocsCommand();
    case '--help':
    case '-h':
      process.stdout.write(USAGE + '\n');
      return 0;
    default:
      throw new EndpointError('USAGE', `unknown dev command '${sub ?? ''}'.\n${USAGE}`);
  }
}
