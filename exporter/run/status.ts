/**
 * `export-status.json` (written atomically at the start and end of each run; read by the
 * watchdog's Nagios `check export`): the last run and the last complete run. No patient data.
 */
import { readJsonFile, writeJsonAtomic } from '../../core/files';
import { statusFilePath, type ExportRunSummary, type ExportStatusFile } from '../../core/status-files';

/**
 * Records `summary` as the last run (and as the last success when it completed). With
 * `storeWiped` (the gateway cut the run: every record was wiped), the last success is forgotten:
 * the store no longer holds what it sent, so `check export` is CRITICAL until a run completes.
 */
export function writeExportStatus(
  stateDir: string,
  summary: ExportRunSummary,
  options: { storeWiped?: boolean } = {},
): void {
  const file = statusFilePath(stateDir, 'export');
  const status = readJsonFile<ExportStatusFile>(file) ?? {};
  status.lastRun = summary;
  if (summary.status === 'complete') status.lastSuccess = summary;
  if (options.storeWiped) delete status.lastSuccess;
  writeJsonAtomic(file, status);
}

/** Reads `export-status.json` (empty when there is none). */
export function readExportStatus(stateDir: string): ExportStatusFile {
  return readJsonFile<ExportStatusFile>(statusFilePath(stateDir, 'export')) ?? {};
}
