/**
 * The status files the parts leave in the state folder for each other and for Nagios: the
 * exporter writes `export-status.json`, the updater `update-status.json`, the watchdog
 * `watchdog-status.json`. Written atomically (core/files.ts). No patient data in any of them.
 */
import path from 'node:path';

/** File names in the state folder. */
export const STATUS_FILES = {
  export: 'export-status.json',
  update: 'update-status.json',
  watchdog: 'watchdog-status.json',
} as const;

/** The path of a status file in a state folder. */
export function statusFilePath(stateDir: string, kind: keyof typeof STATUS_FILES): string {
  return path.join(stateDir, STATUS_FILES[kind]);
}

/** Patient counts of an export run, by outcome. */
export interface ExportOutcomeCounts {
  created: number;
  updated: number;
  unchanged: number;
  /** Refused by the gateway with a 4xx (reason recorded). */
  rejected: number;
  /** Could not be built or sent after all retries. */
  failed: number;
}

/** One export run as the status file reports it. */
export interface ExportRunSummary {
  runId: string;
  mode: 'full' | 'differential';
  transport: 'http' | 'files';
  status: 'running' | 'complete' | 'failed';
  startedAt: string;
  finishedAt?: string;
  patientsTotal: number;
  outcomes: ExportOutcomeCounts;
  /** Warning counts by warning code. */
  warnings: Record<string, number>;
  /** Full runs: patients the gateway removed as no longer active. */
  removedByGateway?: number;
  error?: string;
}

/** `export-status.json`. */
export interface ExportStatusFile {
  lastRun?: ExportRunSummary;
  /** The last run that ended `complete` (the differential watermark lives in the exporter's own state). */
  lastSuccess?: ExportRunSummary;
}

/** `update-status.json`. */
export interface UpdateStatusFile {
  /** Commit the running release was built from. */
  current?: string;
  /** Remote commit waiting to be installed, if any. */
  pending?: string;
  lastCheckAt?: string;
  /** When a fetch from the remote last succeeded. */
  lastFetchAt?: string;
  lastResult?: {
    at: string;
    outcome: 'no-change' | 'updated' | 'deferred' | 'build-failed' | 'rolled-back' | 'rollback-failed' | 'restart-failed' | 'refused' | 'fetch-failed' | 'held';
    commit?: string;
    message: string;
  };
  /** Commits that failed and are not tried again until the remote moves on. */
  failedCommits: string[];
  /** Since when an available update has been waiting for an idle gateway. */
  deferredSince?: string;
  /**
   * Since when every run has been stopped by something only an admin can fix (the remote's
   * history diverged, hand-made changes in the release, a restart command that fails): the box
   * no longer updates. Cleared by the next install or when there is nothing to install.
   */
  blockedSince?: string;
  held?: boolean;
  pinned?: string;
  /** Set when even a rollback could not be verified: what an admin must do next. */
  critical?: string;
}

/** `watchdog-status.json`. */
export interface WatchdogStatusFile {
  state: 'starting' | 'healthy' | 'not-ready' | 'restarting' | 'backing-off' | 'gave-up' | 'paused-for-update';
  since: string;
  lastProbeAt?: string;
  lastLatencyMs?: number;
  /** Restart times within the last 24 h (ISO). */
  restarts: string[];
  lastRestartReason?: string;
  message?: string;
  /** Written after every loop, paused or not: a stale one means the watchdog is not running. */
  heartbeatAt?: string;
  /** The watchdog's process id. */
  pid?: number;
}
