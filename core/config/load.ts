/**
 * The one config loader: environment variables prefixed `ENDPOINT_` (plus an optional env
 * file), parsed and validated against the settings table at start. A bad value stops the
 * program with one sentence naming the variable and what it expects.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { EndpointError } from '../errors';
import { PROJECT_ROOT } from '../paths';
import { SETTINGS } from './settings';
import type { ConfigOf, SettingSpec } from './spec';

/** The endpoint's typed configuration. */
export type Config = ConfigOf<typeof SETTINGS>;

/** Names of the settings. */
export type SettingName = keyof typeof SETTINGS;

/** Where the loader reads from. */
export interface LoadOptions {
  /** The environment (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** An env file read before the environment (which wins); default `ENDPOINT_ENV_FILE`. */
  envFile?: string;
  /** Values that win over both (used by tests and the demo). */
  overrides?: Partial<Record<SettingName, string>>;
}

/** Parses a dotenv-style file: `KEY=value`, `#` comments, optional single or double quotes. */
export function parseEnvFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match) continue;
    const quoted = /^(['"])(.*?)\1(\s+#.*)?$/.exec(match[2]);
    values[match[1]] = quoted ? quoted[2] : match[2].replace(/\s+#.*$/, '');
  }
  return values;
}

function invalid(spec: SettingSpec, raw: string, expects: string): EndpointError {
  const shown = spec.kind === 'secret' ? '(hidden)' : JSON.stringify(raw);
  return new EndpointError('CONFIG_INVALID', `${spec.env} is ${shown}, but it must be ${expects}.`);
}

function parseValue(spec: SettingSpec, raw: string, isDefault: boolean): unknown {
  switch (spec.kind) {
    case 'int': {
      if (!/^-?\d+$/.test(raw.trim())) throw invalid(spec, raw, 'a whole number');
      const value = Number(raw.trim());
      if (spec.min !== undefined && value < spec.min) throw invalid(spec, raw, `at least ${spec.min}`);
      if (spec.max !== undefined && value > spec.max) throw invalid(spec, raw, `at most ${spec.max}`);
      return value;
    }
    case 'bool': {
      const word = raw.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(word)) return true;
      if (['0', 'false', 'no', 'off', ''].includes(word)) return false;
      throw invalid(spec, raw, 'true or false');
    }
    case 'list':
      return raw.split(',').map((item) => item.trim()).filter((item) => item !== '');
    case 'enum':
      if (!spec.values?.includes(raw.trim())) throw invalid(spec, raw, `one of ${spec.values?.join(', ')}`);
      return raw.trim();
    case 'url':
      try {
        new URL(raw);
      } catch {
        throw invalid(spec, raw, 'a URL such as scheme://host:port/path');
      }
      return raw;
    case 'path':
      // Defaults are relative to the project; values given by people, to the working folder.
      return path.resolve(isDefault ? PROJECT_ROOT : process.cwd(), raw);
    case 'secret':
    case 'string':
      if (raw.trim() === '') throw invalid(spec, raw, 'a non-empty text');
      return raw;
  }
}

/** Reads and validates the whole configuration; throws `CONFIG_INVALID` naming the variable. */
export function loadConfig(options: LoadOptions = {}): Config {
  const env = options.env ?? process.env;
  const envFile = options.envFile ?? env.ENDPOINT_ENV_FILE;
  let fileValues: Record<string, string> = {};
  if (envFile !== undefined && envFile !== '') {
    if (!existsSync(envFile)) {
      throw new EndpointError('CONFIG_INVALID', `ENDPOINT_ENV_FILE names ${envFile}, which does not exist.`);
    }
    fileValues = parseEnvFile(readFileSync(envFile, 'utf8'));
  }
  const config: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(SETTINGS) as [SettingName, SettingSpec][]) {
    const names = [spec.env, ...(spec.fallbackEnv ?? [])];
    let raw: string | undefined = options.overrides?.[name];
    for (const source of [env, fileValues]) {
      for (const key of names) raw ??= source[key];
    }
    const isDefault = raw === undefined;
    raw ??= spec.default;
    config[name] = raw === undefined ? undefined : parseValue(spec, raw, isDefault);
  }
  return Object.freeze(config) as Config;
}

/**
 * Returns a setting that the calling part cannot do without, or throws a clear
 * `CONFIG_INVALID` naming the environment variable to set.
 */
export function requireSetting<K extends SettingName>(config: Config, name: K, purpose: string): NonNullable<Config[K]> {
  const value = config[name];
  if (value === undefined || value === null) {
    throw new EndpointError('CONFIG_INVALID', `${SETTINGS[name].env} is not set; it is needed ${purpose}.`);
  }
  return value as NonNullable<Config[K]>;
}
