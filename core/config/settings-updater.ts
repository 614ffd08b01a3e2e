/** Settings of the updater (`endpoint update …`). Part of the one settings table (settings.ts). */
import type { SettingSpec } from './spec';

export const updaterSettings = {} as const satisfies Record<string, SettingSpec>;
