/**
 * Nagios threshold ranges as the monitoring-plugins guidelines define them: `10` (alert
 * outside 0..10), `10:` (below 10), `~:10` (above 10), `10:20` (outside), `@10:20` (inside).
 */
import { EndpointError } from '../../core/errors';

/** A parsed range; `alerts(value)` says whether the value is outside what is fine. */
export interface ThresholdRange {
  readonly text: string;
  readonly low: number;
  readonly high: number;
  readonly inside: boolean;
}

const NUMBER = /^-?\d+(\.\d+)?$/;

/** Parses a range, or throws a USAGE error naming the option. */
export function parseRange(text: string, option: string): ThresholdRange {
  const trimmed = text.trim();
  const inside = trimmed.startsWith('@');
  const body = inside ? trimmed.slice(1) : trimmed;
  const [lowText, highText, extra] = body.includes(':') ? body.split(':') : ['0', body];
  const bad = (): EndpointError => new EndpointError('USAGE', `${option} takes a threshold range such as 10, 10:, ~:10, 10:20 or @10:20, not '${text}'.`);
  if (extra !== undefined) throw bad();
  const low = lowText === '~' ? -Infinity : lowText === '' ? 0 : NUMBER.test(lowText) ? Number(lowText) : NaN;
  const high = highText === '' ? Infinity : NUMBER.test(highText) ? Number(highText) : NaN;
  if (Number.isNaN(low) || Number.isNaN(high) || low > high) throw bad();
  return { text: trimmed, low, high, inside };
}

/** True when `value` should raise the alert this range is the threshold of. */
export function alerts(range: ThresholdRange, value: number): boolean {
  const within = value >= range.low && value <= range.high;
  return range.inside ? within : !within;
}
