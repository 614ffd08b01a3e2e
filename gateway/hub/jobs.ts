/**
 * Hub query jobs: persisted in the `queries` collection (so `GET` survives a restart), run by
 * an in-process queue with bounded concurrency, a timeout (`maxTimeMS` on the server and an
 * AbortSignal on the client) and cancellation; results are suppressed before they are stored,
 * and held for an admin's release when the hub identity's release mode is `hold`.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import { describeError, EndpointError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import { canonicalJson, type QueryDefinition } from './definition';
import { referenceDayOf, runDefinition, type QuerySource } from './evaluate';
import { suppressCells, type SuppressedResult } from './suppression';
import { writeAudit } from './audit';

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
export interface JobSettings {
  minCellSize: number;
  queryTimeoutMs: number;
  queryConcurrency: number;
  queryRetentionHours: number;
}

/** SHA-256 of the canonical JSON of a definition. */
export function definitionHash(definition: QueryDefinition): string {
  return createHash('sha256').update(canonicalJson(definition)).digest('hex');
}

const CANCELLED = new Error('cancelled by the hub');
const TIMED_OUT = new Error('query timed out');
const SHUTDOWN = new Error('gateway shutting down');

/** The in-process queue and runner of hub query jobs. */
export class QueryJobs {
  private readonly queue: string[] = [];
  private readonly running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  private cleanupTimer?: NodeJS.Timeout;
  private readonly jobs: Collection<QueryJob>;

  constructor(
    private readonly db: Db,
    private readonly settings: JobSettings,
    private readonly logger: Logger,
    private readonly source: QuerySource = { engine: 'store', db },
  ) {
    this.jobs = db.collection<QueryJob>(QUERIES_COLLECTION);
  }

  /** Recovers after a restart (running → failed, queued → queued again) and starts the retention sweep. */
  async start(): Promise<void> {
    const interrupted = await this.jobs.updateMany(
      { status: 'running' },
      { $set: { status: 'failed', finishedAt: new Date(), error: { code: 'INTERRUPTED', message: 'The gateway stopped while the query ran; submit it again.' } } },
    );
    if (interrupted.modifiedCount > 0) this.logger.warn({ interrupted: interrupted.modifiedCount }, 'hub queries interrupted by a restart marked failed');
    const queued = await this.jobs.find({ status: 'queued' }, { projection: { _id: 1 } }).sort({ submittedAt: 1 }).toArray();
    for (const job of queued) this.queue.push(job._id);
    await this.cleanup();
    const everyMs = Math.min(this.settings.queryRetentionHours * 3600_000, 600_000);
    this.cleanupTimer = setInterval(() => void this.cleanup().catch((error) => this.logger.warn({ error: describeError(error) }, 'query cleanup failed')), everyMs);
    this.cleanupTimer.unref();
    this.pump();
  }

  /** Deletes finished jobs past their retention; returns how many. */
  async cleanup(now = new Date()): Promise<number> {
    const removed = await this.jobs.deleteMany({ expiresAt: { $lt: now }, status: { $in: [...FINAL_STATUSES] } });
    return removed.deletedCount;
  }

  /** Queries running now. */
  runningCount(): number {
    return this.running.size;
  }

  /** Stores a new job and queues it. */
  async submit(input: { definition: QueryDefinition; indicator?: string; hubSubject: string; releaseMode: ReleaseMode }): Promise<QueryJob> {
    const now = new Date();
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
      expiresAt: new Date(now.getTime() + this.settings.queryRetentionHours * 3600_000),
    };
    await this.jobs.insertOne(job);
    this.queue.push(job._id);
    this.pump();
    return job;
  }

  /** A job, or undefined. */
  async get(id: string): Promise<QueryJob | undefined> {
    return (await this.jobs.findOne({ _id: id })) ?? undefined;
  }

  /** Cancels a queued or running job; returns the job as it ends up. */
  async cancel(id: string): Promise<QueryJob | undefined> {
    const index = this.queue.indexOf(id);
    if (index >= 0) this.queue.splice(index, 1);
    const queued = await this.jobs.updateOne({ _id: id, status: 'queued' }, { $set: { status: 'cancelled', finishedAt: new Date() } });
    if (queued.modifiedCount > 0) await this.audit(id);
    const run = this.running.get(id);
    if (run) {
      run.controller.abort(CANCELLED);
      await run.done;
    }
    return this.get(id);
  }

  /** Aborts running queries (they end `failed`) and stops the sweep. */
  async stop(): Promise<void> {
    if (this.cleanupTimer) clearInterval(this.cleanupTimer);
    this.queue.length = 0;
    const runs = [...this.running.values()];
    for (const run of runs) run.controller.abort(SHUTDOWN);
    await Promise.all(runs.map((run) => run.done));
  }

  private pump(): void {
    while (this.running.size < this.settings.queryConcurrency && this.queue.length > 0) {
      const id = this.queue.shift() as string;
      const controller = new AbortController();
      const entry = { controller, done: Promise.resolve() };
      this.running.set(id, entry);
      entry.done = this.run(id, controller)
        .catch((error) => this.logger.error({ queryId: id, error: describeError(error) }, 'hub query bookkeeping failed'))
        .finally(() => {
          this.running.delete(id);
          this.pump();
        });
    }
  }

  private async run(id: string, controller: AbortController): Promise<void> {
    const startedAt = new Date();
    const claimed = await this.jobs.findOneAndUpdate({ _id: id, status: 'queued' }, { $set: { status: 'running', startedAt } }, { returnDocument: 'after' });
    if (!claimed) return;
    const timer = setTimeout(() => controller.abort(TIMED_OUT), this.settings.queryTimeoutMs);
    let update: Partial<QueryJob>;
    try {
      const cells = await runDefinition(this.source, claimed.definition, claimed.referenceDate, { signal: controller.signal, maxTimeMS: this.settings.queryTimeoutMs });
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
      return { status: 'failed', error: { code: 'TIMEOUT', message: `The query ran longer than ${this.settings.queryTimeoutMs} ms.` } };
    }
    if (reason === SHUTDOWN) return { status: 'failed', error: { code: 'INTERRUPTED', message: 'The gateway shut down while the query ran; submit it again.' } };
    this.logger.error({ error: describeError(error) }, 'hub query failed');
    const code = error instanceof EndpointError ? error.code : 'INTERNAL';
    return { status: 'failed', error: { code, message: 'The query failed in the clinic; the gateway log has the details.' } };
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
  const releasedAt = new Date();
  const released = await jobs.findOneAndUpdate({ _id: id, status: 'held' }, { $set: { status: 'complete', releasedAt } }, { returnDocument: 'after' });
  if (!released) {
    const job = await jobs.findOne({ _id: id });
    if (!job) throw new EndpointError('NOT_FOUND', `No hub query ${id}.`);
    throw new EndpointError('CONFLICT', `Hub query ${id} is ${job.status}, not held; nothing to release.`, { details: { status: job.status } });
  }
  await writeAudit(db, logger, released, 'release');
  return released;
}

/** Jobs for the admin listing, newest first (without results). */
export async function listQueries(db: Db, filter: { status?: QueryStatus; limit?: number } = {}): Promise<Omit<QueryJob, 'result'>[]> {
  return db
    .collection<QueryJob>(QUERIES_COLLECTION)
    .find(filter.status ? { status: filter.status } : {}, { projection: { result: 0 } })
    .sort({ submittedAt: -1 })
    .limit(Math.min(filter.limit ?? 100, 1000))
    .toArray();
}
