/**
 * The shape of a setting: its environment variable, kind, default and documentation.
 * Settings tables (one per part, see `settings.ts`) are plain data built from these.
 */

/** The kinds of value a setting may hold; each has one parser in `parse.ts`. */
export type SettingKind = 'string' | 'secret' | 'url' | 'path' | 'int' | 'bool' | 'list' | 'enum';

/** One setting. `default: undefined` makes it optional (the value may be absent). */
export interface SettingSpec {
  /** The environment variable, always prefixed `ENDPOINT_`. */
  readonly env: string;
  readonly kind: SettingKind;
  /** Default value as it would be written in the environment; `undefined` = optional. */
  readonly default: string | undefined;
  /** One line for the README and the env file example. */
  readonly doc: string;
  /** For `enum`: the allowed values. */
  readonly values?: readonly string[];
  /** For `int`: the smallest and largest allowed value. */
  readonly min?: number;
  readonly max?: number;
  /** Other environment variables read when `env` is unset (e.g. `MONGODB_URI`). */
  readonly fallbackEnv?: readonly string[];
}

type KindValue<K extends SettingKind> = K extends 'int' ? number : K extends 'bool' ? boolean : K extends 'list' ? string[] : string;

/** The parsed value type of one setting. */
export type SettingValue<S extends SettingSpec> = S['default'] extends string
  ? KindValue<S['kind']>
  : KindValue<S['kind']> | undefined;

/** The typed configuration for a settings table. */
export type ConfigOf<T extends Record<string, SettingSpec>> = { readonly [K in keyof T]: SettingValue<T[K]> };
