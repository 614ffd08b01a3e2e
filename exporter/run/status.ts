/**
 * `export-status.json` (written atomically at the start and end of each run; read by the
 * watchdog's Nagios `check export`): the last run and the last complete run. No patient data.
 */
import { readJsonFile, writeJsonAtomic } from '../../core/files';
import { statusFilePath, type ExportRunSummary, type ExportStatusFile } from '../../core/status-files';

/** Records `summary` as the last run (and as the last success when it completed). */
export function writeExportStatus(stateDir: string, summary: ExportRunSummary): void {
  const file = statusFilePath(stateDir, 'export');
  const status = readJsonFile<ExportStatusFile>(file) ?? {};
  status.lastRun = summary;
  if (summary.status === 'complete') status.lastSuccess = summary;
  writeJsonAtomic(file, status);
}

/** Reads `export-status.json` (empty when there is none). */
export function readExportStatus(stateDir: string): ExportStatusFile {
  return readJsonFile<ExportStatusFile>(statusFilePath(stateDir, 'export')) ?? {};
}
