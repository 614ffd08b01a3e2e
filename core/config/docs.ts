/**
 * Renders the settings table as documentation: the README's configuration table and
 * `deploy/endpoint.env.example`. Both are generated from `settings.ts`, and a test checks that
 * the committed copies match, so documentation and loader cannot drift.
 */
import { SETTING_GROUPS } from './settings';
import type { SettingSpec } from './spec';

const GROUP_TITLES: Record<keyof typeof SETTING_GROUPS, string> = {
  common: 'Common',
  oscar: 'OSCAR database (exporter)',
  store: 'MongoDB store (gateway)',
  gateway: 'Gateway, local listener',
  hub: 'Gateway, hub API (HTTPS, mutual TLS)',
  exporter: 'Exporter',
  updater: 'Updater',
  monitor: 'Watchdog and checks',
};

function shownDefault(spec: SettingSpec): string {
  if (spec.default === undefined) return '(unset)';
  if (spec.default === '') return '(empty)';
  return spec.default;
}

/** The markdown configuration table (one table, a row per setting, grouped by part). */
export function renderConfigTable(): string {
  const rows = ['| variable | default | meaning |', '|---|---|---|'];
  for (const [group, settings] of Object.entries(SETTING_GROUPS) as [keyof typeof SETTING_GROUPS, Record<string, SettingSpec>][]) {
    if (Object.keys(settings).length === 0) continue;
    rows.push(`| **${GROUP_TITLES[group]}** | | |`);
    for (const spec of Object.values(settings)) {
      const also = spec.fallbackEnv?.length ? ` (also read: ${spec.fallbackEnv.join(', ')})` : '';
      const values = spec.values ? ` One of: ${spec.values.join(', ')}.` : '';
      rows.push(`| \`${spec.env}\` | \`${shownDefault(spec)}\` | ${spec.doc}${values}${also} |`);
    }
  }
  return rows.join('\n');
}

/** The env file example: every setting, commented out at its default, with its documentation. */
export function renderEnvExample(): string {
  const lines = [
    '# e2e-endpoint settings (generated from core/config/settings.ts by `endpoint dev config-docs`).',
    '# Copy to /etc/e2e-endpoint/endpoint.env; uncomment and change what differs from the default.',
  ];
  for (const [group, settings] of Object.entries(SETTING_GROUPS) as [keyof typeof SETTING_GROUPS, Record<string, SettingSpec>][]) {
    if (Object.keys(settings).length === 0) continue;
    lines.push('', `# --- ${GROUP_TITLES[group]} ---`);
    for (const spec of Object.values(settings)) {
      lines.push(`# ${spec.doc}${spec.values ? ` One of: ${spec.values.join(', ')}.` : ''}`);
      lines.push(`#${spec.env}=${spec.default ?? ''}`);
    }
  }
  return lines.join('\n') + '\n';
}
