/**
 * Nagios plugin output: the exit codes, the one line `SERVICE STATUS: text | perfdata`, and
 * perfdata items `'label'=value[UOM];warn;crit;min;max`.
 */
import { alerts, type ThresholdRange } from './threshold-range';

/** Plugin exit codes. */
export const PLUGIN_STATUS = { OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 } as const;

/** A plugin status name. */
export type PluginStatus = keyof typeof PLUGIN_STATUS;

/** One perfdata item. */
export interface PerfDatum {
  label: string;
  value: number;
  uom?: '' | 's' | 'ms' | '%' | 'B' | 'c';
  warn?: ThresholdRange;
  crit?: ThresholdRange;
  min?: number;
  max?: number;
}

/** A plugin's result: the status, the text, the perfdata. */
export interface PluginResult {
  status: PluginStatus;
  text: string;
  perfdata: PerfDatum[];
}

/** The worse of two statuses (CRITICAL > WARNING > UNKNOWN > OK, as Nagios ranks them). */
export function worse(a: PluginStatus, b: PluginStatus): PluginStatus {
  const rank: Record<PluginStatus, number> = { OK: 0, UNKNOWN: 1, WARNING: 2, CRITICAL: 3 };
  return rank[a] >= rank[b] ? a : b;
}

/** The status of a value against warning and critical ranges. */
export function rate(value: number, warn: ThresholdRange | undefined, crit: ThresholdRange | undefined): PluginStatus {
  if (crit && alerts(crit, value)) return 'CRITICAL';
  if (warn && alerts(warn, value)) return 'WARNING';
  return 'OK';
}

function rangeText(range: ThresholdRange | undefined): string {
  return range?.text ?? '';
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(3).replace(/0+$/, '').replace(/\.$/, '');
}

/** One perfdata item as text; trailing empty fields dropped. */
export function formatPerfDatum(datum: PerfDatum): string {
  const label = /^[A-Za-z0-9_]+$/.test(datum.label) ? datum.label : `'${datum.label.replace(/'/g, "''")}'`;
  const fields = [
    `${formatNumber(datum.value)}${datum.uom ?? ''}`,
    rangeText(datum.warn),
    rangeText(datum.crit),
    datum.min === undefined ? '' : formatNumber(datum.min),
    datum.max === undefined ? '' : formatNumber(datum.max),
  ];
  while (fields.length > 1 && fields[fields.length - 1] === '') fields.pop();
  return `${label}=${fields.join(';')}`;
}

/**
 * Longest output line, in bytes. NRPE 2 passes at most 1,024 bytes (with the terminating NUL)
 * and cuts the rest, perfdata first; the line stays under that with room to spare.
 */
export const MAX_LINE_BYTES = 1000;

/** `text` cut to at most `bytes` UTF-8 bytes, ending in `…` when cut (never inside a character). */
function cutToBytes(text: string, bytes: number): string {
  if (Buffer.byteLength(text) <= bytes) return text;
  const ellipsis = '…';
  let cut = text.slice(0, bytes);
  while (Buffer.byteLength(cut) + Buffer.byteLength(ellipsis) > bytes) cut = cut.slice(0, -1);
  return cut.trimEnd() + ellipsis;
}

/**
 * The plugin's one output line, at most {@link MAX_LINE_BYTES} bytes: the text is shortened
 * (the perfdata is kept whole, for the graphs). `|` in the text would break Nagios parsing, so it
 * is replaced.
 */
export function formatPluginLine(service: string, result: PluginResult): string {
  const text = result.text.replace(/\|/g, '/').replace(/[\r\n]+/g, ' ');
  const perf = result.perfdata.map(formatPerfDatum).join(' ');
  const prefix = `${service} ${result.status}: `;
  const suffix = perf ? ` | ${perf}` : '';
  const room = Math.max(40, MAX_LINE_BYTES - Buffer.byteLength(prefix) - Buffer.byteLength(suffix));
  return `${prefix}${cutToBytes(text, room)}${suffix}`;
}
