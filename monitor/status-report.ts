/**
 * The watchdog's reports: the atomic `watchdog-status.json` (the {@link WatchdogStatusFile}
 * contract) and the optional periodic POST of that same file to a configured HTTPS URL. The
 * file holds states, times and reasons only, never patient data.
 */
import { readJsonFile, writeJsonAtomic } from '../core/files';
import type { Logger } from '../core/logger';
import { statusFilePath, type WatchdogStatusFile } from '../core/status-files';
import type { WatchdogMemory } from './watchdog-decision';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The restart times (ms) still within 24 h of `now`, from a previous status file. */
export function restartsFromFile(stateDir: string, now: number): number[] {
  try {
    const previous = readJsonFile<WatchdogStatusFile>(statusFilePath(stateDir, 'watchdog'));
    return (previous?.restarts ?? []).map((at) => Date.parse(at)).filter((at) => Number.isFinite(at) && at > now - DAY_MS);
  } catch {
    return [];
  }
}

/** What the watchdog knows besides its decision memory. */
export interface WatchdogFacts {
  lastProbeAt?: number;
  lastLatencyMs?: number;
  /** All restarts by this watchdog (and the previous run's, from the file), ms. */
  restarts: number[];
  lastRestartReason?: string;
}

/** The status file for a memory and facts at `now`. */
export function statusFileOf(memory: WatchdogMemory, facts: WatchdogFacts, now: number): WatchdogStatusFile {
  return {
    state: memory.state,
    since: new Date(memory.since).toISOString(),
    lastProbeAt: facts.lastProbeAt === undefined ? undefined : new Date(facts.lastProbeAt).toISOString(),
    lastLatencyMs: facts.lastLatencyMs,
    restarts: facts.restarts.filter((at) => at > now - DAY_MS).map((at) => new Date(at).toISOString()),
    lastRestartReason: facts.lastRestartReason,
    message: memory.message,
    heartbeatAt: new Date(now).toISOString(),
    pid: process.pid,
  };
}

/** Writes the status file atomically. */
export function writeWatchdogStatus(stateDir: string, status: WatchdogStatusFile): void {
  writeJsonAtomic(statusFilePath(stateDir, 'watchdog'), status);
}

/** Is `url` acceptable for status reports? HTTPS, or plain HTTP to loopback only. */
export function reportUrlAllowed(url: string): boolean {
  const parsed = new URL(url);
  if (parsed.protocol === 'https:') return true;
  return parsed.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname);
}

/** POSTs the status file to `url`; failures are logged, never thrown. */
export async function postStatusReport(url: string, status: WatchdogStatusFile, timeoutMs: number, log: Logger): Promise<boolean> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(status),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.arrayBuffer();
    if (!response.ok) {
      log.warn({ status: response.status }, 'status report refused by the report URL');
      return false;
    }
    return true;
  } catch (error) {
    log.warn({ err: error instanceof Error ? error.message : String(error) }, 'status report could not be sent');
    return false;
  }
}
