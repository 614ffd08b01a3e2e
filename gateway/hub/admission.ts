/**
 * Who may add a query to the hub's queue, decided in memory before anything is written: the
 * queue holds at most `hubQueueLimit` waiting queries (every hub identity together), and each
 * identity may have at most `hubQueriesOutstanding` queued or running and submit at most
 * `hubQueriesPerHour` in any hour. Past a limit the answer is 429 with Retry-After, and nothing is
 * stored. The hour's submissions are rebuilt from the stored jobs when the gateway starts.
 */
import { EndpointError } from '../../core/errors';

/** The limits (from the `hub` settings group). */
export interface AdmissionLimits {
  hubQueueLimit: number;
  hubQueriesOutstanding: number;
  hubQueriesPerHour: number;
}

const HOUR_MS = 3600_000;

/** The queue's and the hub identities' shares. */
export class QueryAdmission {
  private waiting = 0;
  private readonly outstanding = new Map<string, number>();
  private readonly submitted = new Map<string, number[]>();

  constructor(private readonly limits: AdmissionLimits) {}

  /**
   * Takes a place for a new query of `subject`, or throws QUERY_QUEUE_FULL / QUERY_QUOTA_EXCEEDED
   * (429). The place is the caller's until {@link started} and {@link finished} (or {@link finished} alone) give it back.
   */
  admit(subject: string, now = Date.now()): void {
    const hour = this.recent(subject, now);
    if (this.waiting >= this.limits.hubQueueLimit) {
      throw new EndpointError(
        'QUERY_QUEUE_FULL',
        `The clinic's query queue is full (${this.limits.hubQueueLimit} waiting); submit the query again later.`,
        {
          retryAfterSeconds: 60,
        },
      );
    }
    if ((this.outstanding.get(subject) ?? 0) >= this.limits.hubQueriesOutstanding) {
      throw new EndpointError(
        'QUERY_QUOTA_EXCEEDED',
        `This hub has ${this.limits.hubQueriesOutstanding} queries queued or running, its most; wait for them to finish.`,
        {
          retryAfterSeconds: 30,
        },
      );
    }
    if (hour.length >= this.limits.hubQueriesPerHour) {
      const retryAfterSeconds = Math.max(1, Math.ceil((hour[0] + HOUR_MS - now) / 1000));
      throw new EndpointError(
        'QUERY_QUOTA_EXCEEDED',
        `This hub has submitted ${this.limits.hubQueriesPerHour} queries in the last hour, its most.`,
        { retryAfterSeconds },
      );
    }
    this.queued(subject, now);
  }

  /** Counts a query as waiting (a new one, or one found queued at start), submitted at `at`. */
  queued(subject: string, at: number): void {
    this.waiting += 1;
    this.outstanding.set(subject, (this.outstanding.get(subject) ?? 0) + 1);
    this.submittedAt(subject, at);
  }

  /** Counts a submission of the last hour (at start, for the stored jobs). */
  submittedAt(subject: string, at: number): void {
    const times = this.submitted.get(subject) ?? [];
    times.push(at);
    if (times.length > 1 && times[times.length - 2] > at) times.sort((a, b) => a - b);
    this.submitted.set(subject, times);
  }

  /** A waiting query left the queue to run. */
  started(): void {
    this.waiting = Math.max(0, this.waiting - 1);
  }

  /** A query of `subject` ended (or was cancelled: `wasWaiting`). */
  finished(subject: string, wasWaiting: boolean): void {
    if (wasWaiting) this.started();
    const left = (this.outstanding.get(subject) ?? 1) - 1;
    if (left > 0) this.outstanding.set(subject, left);
    else this.outstanding.delete(subject);
  }

  /** A place taken by {@link admit} whose job could not be stored: given back whole. */
  refused(subject: string, at: number): void {
    this.finished(subject, true);
    const times = this.submitted.get(subject);
    const index = times?.lastIndexOf(at) ?? -1;
    if (times && index >= 0) times.splice(index, 1);
  }

  /** Queries waiting now. */
  get waitingCount(): number {
    return this.waiting;
  }

  /** `subject`'s submissions within the hour before `now` (older ones forgotten). */
  private recent(subject: string, now: number): number[] {
    const times = this.submitted.get(subject);
    if (!times) return [];
    let drop = 0;
    while (drop < times.length && times[drop] <= now - HOUR_MS) drop += 1;
    if (drop > 0) times.splice(0, drop);
    if (times.length === 0) this.submitted.delete(subject);
    return times;
  }
}
