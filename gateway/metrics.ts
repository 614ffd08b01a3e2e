/**
 * The gateway's Prometheus metrics, kept without a client library: a few counters, one
 * histogram and gauges read at scrape time, rendered in the text exposition format 0.0.4.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** Upper bounds (seconds) of the ingest latency histogram. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** A counter with one label. */
class LabelledCounter {
  private readonly values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly label: string,
  ) {}

  inc(labelValue: string, by = 1): void {
    this.values.set(labelValue, (this.values.get(labelValue) ?? 0) + by);
  }

  get(labelValue: string): number {
    return this.values.get(labelValue) ?? 0;
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const [value, count] of this.values) lines.push(`${this.name}{${this.label}="${escapeLabel(value)}"} ${count}`);
    return lines;
  }
}

/** A histogram of durations in seconds. */
class DurationHistogram {
  private readonly counts = LATENCY_BUCKETS.map(() => 0);
  private sum = 0;
  private count = 0;
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  observe(seconds: number): void {
    LATENCY_BUCKETS.forEach((bound, index) => {
      if (seconds <= bound) this.counts[index] += 1;
    });
    this.sum += seconds;
    this.count += 1;
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    LATENCY_BUCKETS.forEach((bound, index) => lines.push(`${this.name}_bucket{le="${bound}"} ${this.counts[index]}`));
    lines.push(`${this.name}_bucket{le="+Inf"} ${this.count}`, `${this.name}_sum ${this.sum}`, `${this.name}_count ${this.count}`);
    return lines;
  }
}

/** Values read at scrape time. */
export interface GaugeSources {
  importsInFlight(): number;
  runningQueries(): number;
  draining(): boolean;
}

/** The gateway's metrics. */
export class GatewayMetrics {
  readonly ingests = new LabelledCounter('endpoint_ingest_total', 'Documents ingested, by outcome.', 'outcome');
  readonly errors = new LabelledCounter('endpoint_errors_total', 'Error answers, by error code.', 'code');
  readonly ingestLatency = new DurationHistogram('endpoint_ingest_duration_seconds', 'Time to ingest one document.');
  private readonly loopDelay: IntervalHistogram = monitorEventLoopDelay({ resolution: 20 });

  constructor(private readonly gauges: GaugeSources) {
    this.loopDelay.enable();
  }

  /** Stops the event-loop sampler. */
  stop(): void {
    this.loopDelay.disable();
  }

  /** The exposition text. */
  render(): string {
    const lag = (nanoseconds: number): number => (Number.isFinite(nanoseconds) ? nanoseconds / 1e9 : 0);
    const gauge = (name: string, help: string, value: number): string[] => [`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, `${name} ${value}`];
    return [
      ...this.ingests.render(),
      ...this.errors.render(),
      ...this.ingestLatency.render(),
      ...gauge('endpoint_event_loop_lag_seconds', 'Mean event-loop delay since start.', lag(this.loopDelay.mean)),
      ...gauge('endpoint_event_loop_lag_p99_seconds', '99th percentile event-loop delay since start.', lag(this.loopDelay.percentile(99))),
      ...gauge('endpoint_imports_in_flight', 'Documents being imported now.', this.gauges.importsInFlight()),
      ...gauge('endpoint_running_queries', 'Hub queries running now.', this.gauges.runningQueries()),
      ...gauge('endpoint_draining', '1 while the gateway is draining.', this.gauges.draining() ? 1 : 0),
      ...gauge('endpoint_process_resident_memory_bytes', 'Resident set size.', process.memoryUsage.rss()),
    ].join('\n') + '\n';
  }
}
