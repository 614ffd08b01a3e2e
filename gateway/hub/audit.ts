/**
 * The audit trail of hub queries: one document in `audit` and one log line per finished query
 * (and per release): who asked (certificate subject), what (the definition in the document, its
 * SHA-256 in both; the log line stays short whatever the definition), when, how long, how many
 * counts were computed and released, whether suppression applied. Never patient data, never the
 * counts themselves. Entries older than `auditRetentionDays` are pruned.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from 'mongodb';
import type { Logger } from '../../core/logger';
import type { QueryJob } from './jobs';

/** Where audit entries are kept. */
export const AUDIT_COLLECTION = 'audit';

/** One audit entry. */
export interface AuditEntry {
  _id: string;
  event: 'query' | 'release';
  at: Date;
  queryId: string;
  hubSubject: string;
  indicator?: string;
  definitionHash: string;
  definition: QueryJob['definition'];
  status: QueryJob['status'];
  releaseMode: QueryJob['releaseMode'];
  submittedAt: Date;
  startedAt?: Date;
  finishedAt?: Date;
  durationMs?: number;
  rawCellCount?: number;
  releasedCellCount?: number;
  suppressionApplied?: boolean;
  error?: string;
}

/** Writes the audit entry and log line of a job's current state. */
export async function writeAudit(
  db: Db,
  logger: Logger | undefined,
  job: QueryJob,
  event: AuditEntry['event'] = 'query',
): Promise<AuditEntry> {
  const entry: AuditEntry = {
    _id: randomUUID(),
    event,
    at: new Date(),
    queryId: job._id,
    hubSubject: job.hubSubject,
    ...(job.indicator === undefined ? {} : { indicator: job.indicator }),
    definitionHash: job.definitionHash,
    definition: job.definition,
    status: job.status,
    releaseMode: job.releaseMode,
    submittedAt: job.submittedAt,
    ...(job.startedAt ? { startedAt: job.startedAt } : {}),
    ...(job.finishedAt ? { finishedAt: job.finishedAt } : {}),
    ...(job.durationMs === undefined ? {} : { durationMs: job.durationMs }),
    ...(job.result
      ? {
          rawCellCount: job.result.rawCellCount,
          releasedCellCount: job.result.releasedCellCount,
          suppressionApplied: job.result.suppressionApplied,
        }
      : {}),
    ...(job.error ? { error: job.error.code } : {}),
  };
  await db.collection<AuditEntry>(AUDIT_COLLECTION).insertOne(entry);
  const line: Record<string, unknown> = { ...entry, auditId: entry._id };
  delete line._id;
  delete line.definition;
  logger?.info({ audit: line }, event === 'release' ? 'hub query released' : 'hub query audited');
  return entry;
}

/** Removes the audit entries written before `before`; returns how many. */
export async function pruneAudit(db: Db, before: Date): Promise<number> {
  return (await db.collection<AuditEntry>(AUDIT_COLLECTION).deleteMany({ at: { $lt: before } })).deletedCount;
}
