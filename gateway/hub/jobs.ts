/**
 * Hub query jobs: persisted in the `queries` collection (so `GET` survives a restart), run by
 * an in-process queue with bounded concurrency, a timeout (`maxTimeMS` on the server and an
 * AbortSignal on the client) and cancellation; results are suppressed before they are stored,
 * and held for an admin's release when the hub identity's release mode is `hold`. The queue and
 * each hub's share are bounded (admission.ts). The process is the jobs' only writer, so what is
 * queued or running is known in memory and every store operation on a job names its `_id` alone
 * (a point operation on every Mongo-wire server; FerretDB scans the collection for anything else);
 * only the start-up recovery and the retention sweep read the whole collection.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import { describeError, EndpointError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import { QueryAdmission, type AdmissionLimits } from './admission';
import { canonicalJson, type QueryDefinition } from './definition';
import { referenceDayOf, runDefinition, type QuerySource } from './evaluate';
import { suppressCells, type SuppressedResult } from './suppression';
import { pruneAudit, writeAudit } from './audit';

/** Where jobs are kept. */
export const QUERIES_COLLECTION = 'queries';

/** The states of a job. */
export type QueryStatus = 'queued' | 'running' | 'complete' | 'failed' | 'cancelled' | 'held';

/** States a job never leaves (except `held` → `complete` by a release). */
export const FINAL_STATUSES: readonly QueryStatus[] = ['complete', 'failed', 'cancelled', 'held'];

/** Whether results are released at once or wait for an admin. */
export type ReleaseMode = 'auto' | 'hold';

/** One job as stored; `result` is always the suppressed result. */
export interface QueryJob {
  _id: string;
  status: QueryStatus;
  hubSubject: string;
  indicator?: string;
  definition: QueryDefinition;
  definitionHash: string;
  referenceDate: string;
  releaseMode: ReleaseMode;
  submittedAt: Date;
  startedAt?: Date;
  finishedAt?: Date;
  durationMs?: number;
  releasedAt?: Date;
  error?: { code: string; message: string };
  result?: SuppressedResult;
  expiresAt: Date;
}

/** The settings a job runner needs (from the `hub` settings group). */
export interface JobSettings extends AdmissionLimits {
  minCellSize: number;
  queryTimeoutMs: number;
  queryConcurrency: number;
  queryRetentionHours: number;
  auditRetentionDays: number;
}

/** SHA-256 of the canonical JSON of a definition. */
export function definitionHash(definition: QueryDefinition): string {
  return createHash('sha256').update(canonicalJson(definition)).digest('hex');
}

const CANCELLED = new Error('cancelled by the hub');
const TIMED_OUT = new Error('query timed out');
const SHUTDOWN = new Error('gateway shutting down');

/** How often the retention sweep runs at most. */
const SWEEP_EVERY_MS = 600_000;
const HOUR_MS = 3600_000;

/** What the start-up recovery reads of each job. */
type JobSummary = Pick<QueryJob, '_id' | 'status' | 'hubSubject' | 'submittedAt'>;

/** The in-process queue and runner of hub query jobs. */
export class QueryJobs {
  private readonly queue: string[] = [];
  /** The hub identity of every queued or running job. */
  private readonly owners = new Map<string, string>();
  private readonly running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  private readonly admission: QueryAdmission;
  private cleanupTimer?: NodeJS.Timeout;
  private readonly jobs: Collection<QueryJob>;
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly settings: JobSettings,
    private readonly logger: Logger,
    private readonly source: QuerySource = { engine: 'store', db },
  ) {
    this.jobs = db.collection<QueryJob>(QUERIES_COLLECTION);
    this.admission = new QueryAdmission(settings);
  }

  /**
   * Recovers after a restart with one read of the collection (running → failed, queued → queued
   * again, the last hour's submissions counted against each hub's quota), and starts the retention
   * sweep of expired jobs and audit entries (its first round at once, in the background).
   */
  async start(now = new Date()): Promise<void> {
    const summaries = await this.jobs
      .find({}, { projection: { _id: 1, status: 1, hubSubject: 1, submittedAt: 1 } })
      .toArray();
    const interrupted = summaries.filter((job) => job.status === 'running');
    for (const job of interrupted) {
      await this.jobs.updateOne(
        { _id: job._id },
        {
          $set: {
            status: 'failed',
            finishedAt: now,
            error: { code: 'INTERRUPTED', message: 'The gateway stopped while the query ran; submit it again.' },
          },
        },
      );
    }
    if (interrupted.length > 0)
      this.logger.warn({ interrupted: interrupted.length }, 'hub queries interrupted by a restart marked failed');
    this.requeue(summaries as JobSummary[], now.getTime());
    // The first sweep runs beside the first queries (a job past its retention already reads as gone).
    void this.cleanup(now).catch((error) => this.logger.warn({ error: describeError(error) }, 'query cleanup failed'));
    const everyMs = Math.min(this.settings.queryRetentionHours * HOUR_MS, SWEEP_EVERY_MS);
    this.cleanupTimer = setInterval(
      () =>
        void this.cleanup().catch((error) => this.logger.warn({ error: describeError(error) }, 'query cleanup failed')),
      everyMs,
    );
    this.cleanupTimer.unref();
    this.pump();
  }

  private requeue(summaries: JobSummary[], now: number): void {
    const queued = summaries
      .filter((job) => job.status === 'queued')
      .sort((a, b) => a.submittedAt.getTime() - b.submittedAt.getTime());
    for (const job of queued) {
      this.queue.push(job._id);
      this.owners.set(job._id, job.hubSubject);
      this.admission.queued(job.hubSubject, job.submittedAt.getTime());
    }
    for (const job of summaries) {
      const at = job.submittedAt?.getTime?.();
      if (job.status !== 'queued' && typeof at === 'number' && at > now - HOUR_MS)
        this.admission.submittedAt(job.hubSubject, at);
    }
    if (queued.length > 0)
      this.logger.info({ queued: queued.length }, 'hub queries queued before a restart queued again');
  }

  /** Deletes finished jobs past their retention and audit entries past theirs; returns how many jobs. */
  async cleanup(now = new Date()): Promise<number> {
    const removed = await this.jobs.deleteMany({ expiresAt: { $lt: now }, status: { $in: [...FINAL_STATUSES] } });
    await pruneAudit(this.db, new Date(now.getTime() - this.settings.auditRetentionDays * 24 * HOUR_MS));
    return removed.deletedCount;
  }

  /** Queries running now. */
  runningCount(): number {
    return this.running.size;
  }

  /** Queries waiting to run now. */
  queuedCount(): number {
    return this.queue.length;
  }

  /** Stores a new job and queues it; throws QUERY_QUEUE_FULL or QUERY_QUOTA_EXCEEDED (429) past the limits. */
  async submit(input: {
    definition: QueryDefinition;
    indicator?: string;
    hubSubject: string;
    releaseMode: ReleaseMode;
  }): Promise<QueryJob> {
    const now = new Date();
    this.admission.admit(input.hubSubject, now.getTime());
    const definition = { ...input.definition, referenceDate: referenceDayOf(input.definition, now) };
    const job: QueryJob = {
      _id: randomUUID(),
      status: 'queued',
      hubSubject: input.hubSubject,
      ...(input.indicator === undefined ? {} : { indicator: input.indicator }),
      definition,
      definitionHash: definitionHash(definition),
      referenceDate: definition.referenceDate,
      releaseMode: input.releaseMode,
      submittedAt: now,
      expiresAt: new Date(now.getTime() + this.settings.queryRetentionHours * HOUR_MS),
    };
    try {
      await this.jobs.insertOne(job);
    } catch (error) {
      this.admission.refused(input.hubSubject, now.getTime());
      throw error;
    }
    this.queue.push(job._id);
    this.owners.set(job._id, job.hubSubject);
    this.pump();
    return job;
  }

  /** A job, or undefined (also when it is finished and past its retention, swept or not yet). */
  async get(id: string, now = new Date()): Promise<QueryJob | undefined> {
    const job = await this.jobs.findOne({ _id: id });
    if (!job || (job.expiresAt < now && FINAL_STATUSES.includes(job.status))) return undefined;
    return job;
  }

  /** Cancels a queued or running job; returns the job as it ends up. */
  async cancel(id: string): Promise<QueryJob | undefined> {
    const index = this.queue.indexOf(id);
    if (index >= 0) {
      this.queue.splice(index, 1);
      this.admission.finished(this.owners.get(id) ?? '', true);
      this.owners.delete(id);
      await this.jobs.updateOne({ _id: id }, { $set: { status: 'cancelled', finishedAt: new Date() } });
      await this.audit(id);
    }
    const run = this.running.get(id);
    if (run) {
      run.controller.abort(CANCELLED);
      await run.done;
    }
    return this.get(id);
  }

  /** Aborts running queries (they end `failed`) and stops the sweep. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.cleanupTimer) clearInterval(this.cleanupTimer);
    this.queue.length = 0;
    const runs = [...this.running.values()];
    for (const run of runs) run.controller.abort(SHUTDOWN);
    await Promise.all(runs.map((run) => run.done));
  }

  private pump(): void {
    while (!this.stopped && this.running.size < this.settings.queryConcurrency && this.queue.length > 0) {
      const id = this.queue.shift() as string;
      this.admission.started();
      const controller = new AbortController();
      const entry = { controller, done: Promise.resolve() };
      this.running.set(id, entry);
      entry.done = this.run(id, controller)
        .catch((error) =>
          this.logger.error({ queryId: id, error: describeError(error) }, 'hub query bookkeeping failed'),
        )
        .finally(() => {
          this.running.delete(id);
          this.admission.finished(this.owners.get(id) ?? '', false);
          this.owners.delete(id);
          this.pump();
        });
    }
  }

  private async run(id: string, controller: AbortController): Promise<void> {
    const startedAt = new Date();
    // The queue is the truth about what may start (a cancelled job has left it): claimed by `_id` alone.
    const claimed = await this.jobs.findOneAndUpdate(
      { _id: id },
      { $set: { status: 'running', startedAt } },
      { returnDocument: 'after' },
    );
    if (!claimed) return;
    const timer = setTimeout(() => controller.abort(TIMED_OUT), this.settings.queryTimeoutMs);
    let update: Partial<QueryJob>;
    try {
      const cells = await runDefinition(this.source, claimed.definition, claimed.referenceDate, {
        signal: controller.signal,
        maxTimeMS: this.settings.queryTimeoutMs,
      });
      if (controller.signal.aborted) throw controller.signal.reason;
      const result = suppressCells(cells, this.settings.minCellSize);
      update = { status: claimed.releaseMode === 'hold' ? 'held' : 'complete', result };
    } catch (error) {
      update = this.failure(error, controller.signal);
    } finally {
      clearTimeout(timer);
    }
    const finishedAt = new Date();
    const final = { ...update, finishedAt, durationMs: finishedAt.getTime() - startedAt.getTime() };
    // Audited before the result becomes visible to the hub.
    await writeAudit(this.db, this.logger, { ...claimed, ...final });
    await this.jobs.updateOne({ _id: id }, { $set: final });
  }

  private failure(error: unknown, signal: AbortSignal): Partial<QueryJob> {
    const reason: unknown = signal.aborted ? signal.reason : undefined;
    if (reason === CANCELLED) return { status: 'cancelled' };
    const serverTimeout = (error as { code?: unknown }).code === 50;
    if (reason === TIMED_OUT || serverTimeout) {
      return {
        status: 'failed',
        error: { code: 'TIMEOUT', message: `The query ran longer than ${this.settings.queryTimeoutMs} ms.` },
      };
    }
    if (reason === SHUTDOWN)
      return {
        status: 'failed',
        error: { code: 'INTERRUPTED', message: 'The gateway shut down while the query ran; submit it again.' },
      };
    this.logger.error({ error: describeError(error) }, 'hub query failed');
    const code = error instanceof EndpointError ? error.code : 'INTERNAL';
    return {
      status: 'failed',
      error: { code, message: 'The query failed in the clinic; the gateway log has the details.' },
    };
  }

  private async audit(id: string): Promise<void> {
    const job = await this.get(id);
    if (job) await writeAudit(this.db, this.logger, job);
  }
}

/**
 * Releases a held result (the `endpoint gateway release <id>` command and the admin route):
 * `held` → `complete`. Throws `NOT_FOUND` for no such job and `CONFLICT` when it is not held.
 */
export async function releaseHeldQuery(db: Db, id: string, logger?: Logger): Promise<QueryJob> {
  const jobs = db.collection<QueryJob>(QUERIES_COLLECTION);
  const shownId = id.slice(0, 40);
  // By `_id` alone (a point operation), then the state checked here: held jobs change only by a release.
  const job = await jobs.findOne({ _id: id });
  if (!job) throw new EndpointError('NOT_FOUND', `No hub query ${shownId}.`);
  if (job.status !== 'held')
    throw new EndpointError('CONFLICT', `Hub query ${shownId} is ${job.status}, not held; nothing to release.`, {
      details: { status: job.status },
    });
  const released: QueryJob = { ...job, status: 'complete', releasedAt: new Date() };
  await jobs.updateOne({ _id: id }, { $set: { status: released.status, releasedAt: released.releasedAt } });
  await writeAudit(db, logger, released, 'release');
  return released;
}

/** Jobs for the admin listing, newest first (without results). */
export async function listQueries(
  db: Db,
  filter: { status?: QueryStatus; limit?: number } = {},
): Promise<Omit<QueryJob, 'result'>[]> {
  return db
    .collection<QueryJob>(QUERIES_COLLECTION)
    .find(filter.status ? { status: filter.status } : {}, { projection: { result: 0 } })
    .sort({ submittedAt: -1 })
    .limit(Math.min(filter.limit ?? 100, 1000))
    .toArray();
}
