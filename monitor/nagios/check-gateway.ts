/**
 * `check gateway`: liveness, readiness and readyz latency of the gateway, the watchdog's state,
 * its restarts in the last 24 h and whether it still runs (from `watchdog-status.json`), and the
 * days left on the hub link's certificates.
 */
import { describeExpiry, type CertificateValidity } from '../../core/certificates';
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
  /** A watchdog status older than this: the watchdog is not running. */
  watchdogStaleMs: number;
  /** The certificates (server, hub CA) when TLS is configured, or why they could not be read. */
  certificates?: CertificateValidity[] | { error: string };
  certWarningDays: number;
  certCriticalDays: number;
  now: number;
}

/** Rates the certificates' days left. */
export function rateCertificates(options: GatewayCheckOptions): { status: PluginStatus; text?: string; perf: PerfDatum[] } {
  const certificates = options.certificates;
  if (certificates === undefined) return { status: 'OK', perf: [] };
  if (!Array.isArray(certificates)) return { status: 'WARNING', text: `certificates not checked: ${certificates.error}`, perf: [] };
  let status: PluginStatus = 'OK';
  const notes: string[] = [];
  for (const validity of certificates) {
    const rated: PluginStatus = validity.daysLeft < options.certCriticalDays ? 'CRITICAL' : validity.daysLeft < options.certWarningDays ? 'WARNING' : 'OK';
    status = worse(status, rated);
    if (rated !== 'OK') notes.push(`${describeExpiry(validity)}: renew it (deploy/tls.sh renew)`);
  }
  const soonest = Math.min(...certificates.map((validity) => validity.daysLeft));
  const text = notes.length > 0 ? notes.join('; ') : `certificates valid ${soonest} more days`;
  return { status, text, perf: [{ label: 'cert_days', value: soonest, min: 0 }] };
}

/** Rates the watchdog's part: its state and restarts in 24 h. */
export function rateWatchdog(watchdog: WatchdogStatusFile | undefined, options: GatewayCheckOptions): { status: PluginStatus; text?: string; perf?: PerfDatum } {
  if (watchdog === undefined) return { status: 'OK', text: 'no watchdog status file' };
  const dayAgo = options.now - 24 * 3600 * 1000;
  const restarts = watchdog.restarts.filter((at) => Date.parse(at) > dayAgo).length;
  let status = rate(restarts, options.restartsWarning, options.restartsCritical);
  let text = `${restarts} restart${restarts === 1 ? '' : 's'} in 24 h`;
  const heartbeat = Date.parse(watchdog.heartbeatAt ?? watchdog.lastProbeAt ?? watchdog.since);
  const silentMs = Number.isFinite(heartbeat) ? options.now - heartbeat : Infinity;
  if (silentMs > options.watchdogStaleMs) {
    const ago = Number.isFinite(silentMs) ? `${Math.round(silentMs / 1000)} s ago` : 'at an unreadable time';
    return {
      status: worse(status, 'WARNING'),
      text: `${text}, watchdog not running: its status was last written ${ago} (state ${watchdog.state}); start it (systemctl start e2e-watchdog, or the crontab's watchdog line)`,
      perf: { label: 'restarts', value: restarts, warn: options.restartsWarning, crit: options.restartsCritical, min: 0 },
    };
  }
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
  const certificates = rateCertificates(options);
  const watchdogPerf = [...(watchdog.perf ? [watchdog.perf] : []), ...certificates.perf];
  const watchdogText = [watchdog.text, certificates.text].filter((part) => part !== undefined).map((part) => `, ${part}`).join('');
  if (livez.kind !== 'answered' || livez.status !== 200) {
    const why = livez.kind === 'answered' ? `livez answered ${livez.status}` : livez.kind === 'timeout' ? `livez timed out after ${options.timeoutMs} ms` : `livez ${livez.kind}: ${livez.detail}`;
    return { status: 'CRITICAL', text: `not live (${why}) at ${options.gatewayUrl}${watchdogText}`, perfdata: [{ label: 'live', value: 0, min: 0, max: 1 }, { label: 'ready', value: 0, min: 0, max: 1 }, ...watchdogPerf] };
  }
  const readiness = readinessOf(readyz);
  const latency = readyz.latencyMs;
  let status: PluginStatus = worse(worse(rate(latency, options.latencyWarning, options.latencyCritical), watchdog.status), certificates.status);
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
