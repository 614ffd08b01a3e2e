/**
 * `check export` and `check update`: pure ratings of the exporter's and the updater's status
 * files (core/status-files.ts) against -w/-c ranges, for the Nagios plugins.
 */
import type { ExportStatusFile, UpdateStatusFile } from '../../core/status-files';
import { rate, worse, type PerfDatum, type PluginResult, type PluginStatus } from './plugin-output';
import type { ThresholdRange } from './threshold-range';

const HOUR_MS = 3600 * 1000;

function hoursSince(iso: string | undefined, now: number): number | undefined {
  if (iso === undefined) return undefined;
  const at = Date.parse(iso);
  return Number.isFinite(at) ? Math.max(0, (now - at) / HOUR_MS) : undefined;
}

const round1 = (hours: number): number => Math.round(hours * 10) / 10;

/** Thresholds of `check export`. */
export interface ExportThresholds {
  ageWarning: ThresholdRange;
  ageCritical: ThresholdRange;
  failedWarning?: ThresholdRange;
  failedCritical?: ThresholdRange;
  rejectedWarning?: ThresholdRange;
  rejectedCritical?: ThresholdRange;
}

/** The error of a run the gateway cut (RUN_CUT: every record was wiped while it was open) starts with its code. */
const RUN_CUT = 'RUN_CUT';

/**
 * Rates the export status: age of the last successful run, failed and rejected patients in it. A
 * last run the gateway cut is CRITICAL whatever came before: the store lost what was exported.
 */
export function rateExport(file: ExportStatusFile, now: number, limits: ExportThresholds): PluginResult {
  const success = file.lastSuccess;
  const lastRun = file.lastRun;
  const cut = lastRun?.status === 'failed' && lastRun.error?.startsWith(RUN_CUT) === true;
  if (success === undefined || cut) {
    const why = lastRun
      ? `; last run ${lastRun.runId} ${lastRun.status}${lastRun.error ? `: ${lastRun.error}` : ''}`
      : '';
    const what = cut
      ? 'the gateway cut the last export run: its store was wiped; run `endpoint export run --full`'
      : 'no successful export run recorded';
    return { status: 'CRITICAL', text: `${what}${why}`, perfdata: [] };
  }
  const age = hoursSince(success.finishedAt ?? success.startedAt, now) ?? Infinity;
  const { failed, rejected } = success.outcomes;
  let status: PluginStatus = rate(age, limits.ageWarning, limits.ageCritical);
  status = worse(status, rate(failed, limits.failedWarning, limits.failedCritical));
  status = worse(status, rate(rejected, limits.rejectedWarning, limits.rejectedCritical));
  const parts = [
    `last successful ${success.mode} run ${success.runId} ${Number.isFinite(age) ? `${round1(age)} h ago` : 'at an unreadable time'}`,
    `${success.patientsTotal} patients, ${failed} failed, ${rejected} rejected`,
  ];
  if (lastRun && lastRun.runId !== success.runId) {
    if (lastRun.status === 'failed') {
      status = worse(status, 'WARNING');
      parts.push(`a later run ${lastRun.runId} failed${lastRun.error ? `: ${lastRun.error}` : ''}`);
    } else if (lastRun.status === 'running') {
      parts.push(`run ${lastRun.runId} in progress`);
    }
  }
  const perfdata: PerfDatum[] = [
    {
      label: 'age_hours',
      value: Number.isFinite(age) ? round1(age) : -1,
      warn: limits.ageWarning,
      crit: limits.ageCritical,
      min: 0,
    },
    { label: 'patients', value: success.patientsTotal, min: 0 },
    { label: 'failed', value: failed, warn: limits.failedWarning, crit: limits.failedCritical, min: 0 },
    { label: 'rejected', value: rejected, warn: limits.rejectedWarning, crit: limits.rejectedCritical, min: 0 },
  ];
  return { status, text: parts.join(', '), perfdata };
}

/** Thresholds of `check update`. */
export interface UpdateThresholds {
  deferredWarning: ThresholdRange;
  deferredCritical: ThresholdRange;
  fetchWarning: ThresholdRange;
  fetchCritical: ThresholdRange;
}

/** Rates the update status: critical note, rollbacks, how long an update waits, last fetch age. */
export function rateUpdate(file: UpdateStatusFile, now: number, limits: UpdateThresholds): PluginResult {
  let status: PluginStatus = 'OK';
  const parts: string[] = [];
  if (file.critical) {
    status = 'CRITICAL';
    parts.push(`needs an admin: ${file.critical}`);
  }
  const result = file.lastResult;
  if (result?.outcome === 'rollback-failed') {
    status = worse(status, 'CRITICAL');
    parts.push(`rollback failed: ${result.message}`);
  } else if (result?.outcome === 'rolled-back' || result?.outcome === 'build-failed') {
    status = worse(status, 'WARNING');
    parts.push(`${result.outcome}${result.commit ? ` ${result.commit.slice(0, 12)}` : ''}: ${result.message}`);
  }
  // Refused (history diverged, hand-made changes, no valid signature) or a restart command that
  // fails: every later run stops the same way, so the box no longer updates until an admin acts.
  const blocked = hoursSince(file.blockedSince, now);
  if (blocked !== undefined) {
    status = worse(status, worse('WARNING', rate(blocked, limits.deferredWarning, limits.deferredCritical)));
    const why =
      result?.outcome === 'refused' || result?.outcome === 'restart-failed'
        ? `${result.outcome}: ${result.message}`
        : 'updates blocked';
    parts.push(`no update installs for ${round1(blocked)} h, ${why}`);
  }
  parts.push(`running ${file.current ? file.current.slice(0, 12) : 'an unknown commit'}`);
  const deferred = file.deferredSince !== undefined ? hoursSince(file.deferredSince, now) : undefined;
  if (file.pending || deferred !== undefined) {
    const waiting = deferred ?? 0;
    status = worse(status, rate(waiting, limits.deferredWarning, limits.deferredCritical));
    parts.push(
      `update ${file.pending ? file.pending.slice(0, 12) : ''} pending${deferred !== undefined ? `, deferred ${round1(deferred)} h` : ''}`.replace(
        '  ',
        ' ',
      ),
    );
  }
  const fetchAge = hoursSince(file.lastFetchAt, now);
  if (fetchAge === undefined) {
    status = worse(status, 'WARNING');
    parts.push('no successful fetch recorded');
  } else {
    status = worse(status, rate(fetchAge, limits.fetchWarning, limits.fetchCritical));
    parts.push(`last fetch ${round1(fetchAge)} h ago`);
  }
  if (file.held) parts.push('updates held');
  if (file.pinned) parts.push(`pinned to ${file.pinned.slice(0, 12)}`);
  const perfdata: PerfDatum[] = [
    {
      label: 'deferred_hours',
      value: round1(deferred ?? 0),
      warn: limits.deferredWarning,
      crit: limits.deferredCritical,
      min: 0,
    },
    {
      label: 'fetch_age_hours',
      value: fetchAge === undefined ? -1 : round1(fetchAge),
      warn: limits.fetchWarning,
      crit: limits.fetchCritical,
    },
    { label: 'failed_commits', value: file.failedCommits?.length ?? 0, min: 0 },
    { label: 'blocked_hours', value: round1(blocked ?? 0), min: 0 },
  ];
  return { status, text: parts.join(', '), perfdata };
}
