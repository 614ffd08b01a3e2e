/**
 * Starting a run at the receiver, with the one check a differential run needs first: that the
 * gateway's store still holds what the last successful run sent. Every wipe of all records moves
 * the store to a new generation; a differential run that finds another generation than the last
 * success's starts a full run instead (its watermark describes a store that no longer exists).
 */
import type { Logger } from '../../core/logger';
import type { DocumentTransport } from '../send/transport';
import type { ExportMode, ExportStateFile } from './state';

/** A run the receiver started. */
export interface StartedRun {
  runId: string;
  mode: ExportMode;
  /** The store generation the gateway named (undefined: the file transport, or an older gateway). */
  storeGeneration?: number;
}

/** Starts a `mode` run; a differential one becomes full when the store was wiped since `lastSuccess`. */
export async function startRunAt(
  transport: DocumentTransport,
  mode: ExportMode,
  lastSuccess: ExportStateFile['lastSuccess'],
  logger: Logger,
): Promise<StartedRun> {
  const runId = await transport.startRun(mode);
  const storeGeneration = transport.storeGeneration?.();
  const known = lastSuccess?.storeGeneration;
  if (mode !== 'differential' || storeGeneration === undefined || known === undefined || storeGeneration === known)
    return { runId, mode, storeGeneration };
  logger.warn(
    { previousGeneration: known, storeGeneration, lastSuccess: lastSuccess?.runId },
    "the gateway's store was wiped since the last successful run; running a full export instead of a differential one",
  );
  const fullRunId = await transport.startRun('full');
  return { runId: fullRunId, mode: 'full', storeGeneration: transport.storeGeneration?.() };
}
