/** Settings of the watchdog and the Nagios checks. Part of the one settings table (settings.ts). */
import type { SettingSpec } from './spec';

export const monitorSettings = {} as const satisfies Record<string, SettingSpec>;
