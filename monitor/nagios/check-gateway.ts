/**
 * `check gateway`: liveness, readiness and readyz latency of the gateway, plus the watchdog's
 * state and its restarts in the last 24 h (from `watchdog-status.json`).
 */
import type { WatchdogStatusFile } from '../../core/status-files';
import { getHealth } from '../gateway-probe';
import { readinessOf } from '../gateway-probe';
import { rate, worse, type PerfDatum, type PluginResult, type PluginStatus } from './plugin-output';
import type { ThresholdRange } from './threshold-range';

/** Inputs of {@link checkGateway}. */
export interface GatewayCheckOptions {
  gatewayUrl: string;
  timeoutMs: number;
  latencyWarning: ThresholdRange;
  latencyCritical: ThresholdRange;
  restartsWarning: ThresholdRange;
  restartsCritical: ThresholdRange;
  /** The watchdog's status file, if there is one. */
  watchdog?: WatchdogStatusFile;
  now: number;
}

/** Rates the watchdog's part: its state and restarts in 24 h. */
export function rateWatchdog(watchdog: WatchdogStatusFile | undefined, options: GatewayCheckOptions): { status: PluginStatus; text?: string; perf?: PerfDatum } {
  if (watchdog === undefined) return { status: 'OK', text: 'no watchdog status file' };
  const dayAgo = options.now - 24 * 3600 * 1000;
  const restarts = watchdog.restarts.filter((at) => Date.parse(at) > dayAgo).length;
  let status = rate(restarts, options.restartsWarning, options.restartsCritical);
  let text = `${restarts} restart${restarts === 1 ? '' : 's'} in 24 h`;
  if (watchdog.state === 'gave-up') {
    status = 'CRITICAL';
    text += `, watchdog gave up: ${watchdog.message ?? ''}`.trimEnd();
  } else if (watchdog.state !== 'healthy') {
    text += `, watchdog ${watchdog.state}`;
  }
  return { status, text, perf: { label: 'restarts', value: restarts, warn: options.restartsWarning, crit: options.restartsCritical, min: 0 } };
}

/** Probes the gateway and rates what it finds. */
export async function checkGateway(options: GatewayCheckOptions): Promise<PluginResult> {
  const [livez, readyz] = await Promise.all([getHealth(options.gatewayUrl, '/livez', options.timeoutMs), getHealth(options.gatewayUrl, '/readyz', options.timeoutMs)]);
  const watchdog = rateWatchdog(options.watchdog, options);
  const watchdogPerf = watchdog.perf ? [watchdog.perf] : [];
  const watchdogText = watchdog.text ? `, ${watchdog.text}` : '';
  if (livez.kind !== 'answered' || livez.status !== 200) {
    const why = livez.kind === 'answered' ? `livez answered ${livez.status}` : livez.kind === 'timeout' ? `livez timed out after ${options.timeoutMs} ms` : `livez ${livez.kind}: ${livez.detail}`;
    return { status: 'CRITICAL', text: `not live (${why}) at ${options.gatewayUrl}${watchdogText}`, perfdata: [{ label: 'live', value: 0, min: 0, max: 1 }, { label: 'ready', value: 0, min: 0, max: 1 }, ...watchdogPerf] };
  }
  const readiness = readinessOf(readyz);
  const latency = readyz.latencyMs;
  let status: PluginStatus = worse(rate(latency, options.latencyWarning, options.latencyCritical), watchdog.status);
  let readyText: string;
  if (readiness.ready === true) {
    readyText = 'ready';
  } else {
    status = 'CRITICAL';
    readyText = readyz.kind === 'timeout' ? `readyz timed out after ${options.timeoutMs} ms` : `not ready (${(readiness.reasons ?? [readyz.kind === 'answered' ? '' : readyz.detail]).join('; ')})`;
  }
  return {
    status,
    text: `live, ${readyText}, readyz ${latency} ms${watchdogText}`,
    perfdata: [
      { label: 'latency', value: latency, uom: 'ms', warn: options.latencyWarning, crit: options.latencyCritical, min: 0 },
      { label: 'live', value: 1, min: 0, max: 1 },
      { label: 'ready', value: readiness.ready === true ? 1 : 0, min: 0, max: 1 },
      ...watchdogPerf,
    ],
  };
}
