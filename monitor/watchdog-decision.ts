/**
 * The watchdog's decisions as one pure state machine: fed a probe result (or "the update lock
 * is held") and the time, it returns the next state and whether to restart the gateway.
 * Liveness decides restarts (livez refused = crashed; K livez timeouts in a row while the
 * status progress counters stand still = hung); readiness only colours the state.
 */
import type { WatchdogStatusFile } from '../core/status-files';
import { budgetVerdict, FRESH_BUDGET, recordHealthy, recordRestart, resumeAfterGivingUp, type RestartBudget, type RestartPolicy } from './restart-budget';

/** The watchdog states (the status file's `state`). */
export type WatchdogState = WatchdogStatusFile['state'];

/** How a livez probe went. */
export type LivezOutcome = 'ok' | 'refused' | 'timeout' | 'error';

/** One probe of the gateway. */
export interface ProbeResult {
  livez: LivezOutcome;
  /** readyz answer; undefined when it did not answer. */
  ready?: boolean;
  readyReasons?: string[];
  /** livez round trip, when it answered. */
  latencyMs?: number;
  /** Sum of the `/status` progress counters; undefined when status did not answer. */
  progress?: number;
  /** Supervised mode: the child process has exited since it was started. */
  childExited?: boolean;
  /** One line on what went wrong, for the log. */
  detail?: string;
}

/** What the watchdog feeds the machine on each loop. */
export type Observation = { kind: 'update-lock-held' } | { kind: 'probe'; probe: ProbeResult };

/** Limits of the decisions. */
export interface DecisionPolicy extends RestartPolicy {
  /** Consecutive livez timeouts without progress before "hung". */
  hungAfter: number;
  graceMs: number;
}

/** What the machine remembers between loops. */
export interface WatchdogMemory {
  readonly state: WatchdogState;
  readonly since: number;
  /** Until when failures do not count (start-up grace). */
  readonly graceUntil: number;
  readonly hungStreak: number;
  readonly lastProgress?: number;
  readonly healthySince?: number;
  readonly budget: RestartBudget;
  /** Why the state is what it is, one line. */
  readonly message: string;
}

/** The restart the watchdog should perform now. */
export interface RestartOrder {
  /** `requested`: an admin or the updater asked for it (`endpoint watchdog restart-gateway`). */
  cause: 'crashed' | 'hung' | 'requested';
  reason: string;
}

/** The outcome of one step. */
export interface Decision {
  memory: WatchdogMemory;
  restart?: RestartOrder;
}

/** The memory at watchdog start: grace from `now`. */
export function initialMemory(now: number, policy: DecisionPolicy): WatchdogMemory {
  return { state: 'starting', since: now, graceUntil: now + policy.graceMs, hungStreak: 0, budget: FRESH_BUDGET, message: 'watchdog started' };
}

function withState(memory: WatchdogMemory, state: WatchdogState, now: number, message: string, changes: Partial<WatchdogMemory> = {}): WatchdogMemory {
  return { ...memory, ...changes, state, since: state === memory.state ? memory.since : now, message };
}

/** Is the process alive? `failure` when it should be restarted (crashed or hung). */
type Liveness = { kind: 'alive' } | { kind: 'starting'; why: string } | { kind: 'suspect'; why: string } | { kind: 'failure'; order: RestartOrder };

function judgeLiveness(probe: ProbeResult, hungStreak: number, inGrace: boolean, policy: DecisionPolicy): Liveness {
  if (probe.childExited) return { kind: 'failure', order: { cause: 'crashed', reason: probe.detail ?? 'the gateway process exited' } };
  if (probe.livez === 'ok') return { kind: 'alive' };
  if (probe.livez === 'refused' || probe.livez === 'error') {
    const why = `livez ${probe.livez === 'refused' ? 'refused' : 'failed'}${probe.detail ? `: ${probe.detail}` : ''}`;
    return inGrace ? { kind: 'starting', why } : { kind: 'failure', order: { cause: 'crashed', reason: why } };
  }
  if (inGrace) return { kind: 'starting', why: 'livez timed out during the start-up grace' };
  if (hungStreak >= policy.hungAfter) {
    return { kind: 'failure', order: { cause: 'hung', reason: `hung: ${hungStreak} livez timeouts in a row without progress` } };
  }
  if (hungStreak === 0) return { kind: 'suspect', why: 'livez timed out, but the status counters moved: busy, not hung' };
  return { kind: 'suspect', why: `livez timed out (${hungStreak}/${policy.hungAfter} without progress)` };
}

/** One step of the machine. */
export function decide(memory: WatchdogMemory, observation: Observation, now: number, policy: DecisionPolicy): Decision {
  if (observation.kind === 'update-lock-held') {
    // The updater may restart the gateway itself; give it the whole grace afterwards.
    return { memory: withState(memory, 'paused-for-update', now, 'the update lock is held: no checks, no restarts', { hungStreak: 0, graceUntil: now + policy.graceMs, healthySince: undefined }) };
  }
  const probe = observation.probe;
  let graceUntil = memory.graceUntil;
  if (probe.livez === 'ok' && now < graceUntil) graceUntil = now; // answered: grace is over
  const inGrace = now < graceUntil;
  const progressed = probe.progress !== undefined && memory.lastProgress !== undefined && probe.progress > memory.lastProgress;
  const hungStreak = probe.livez === 'timeout' && !progressed && !inGrace ? memory.hungStreak + 1 : 0;
  const lastProgress = probe.progress ?? memory.lastProgress;
  const base = { graceUntil, hungStreak, lastProgress };
  const liveness = judgeLiveness(probe, hungStreak, inGrace, policy);

  if (liveness.kind === 'alive' || liveness.kind === 'suspect') {
    if (liveness.kind === 'suspect') {
      // A busy gateway (timeouts, but counters moving) or a first timeout: keep the state, note why.
      const state = memory.state === 'gave-up' || memory.state === 'backing-off' ? memory.state : memory.state === 'paused-for-update' ? 'starting' : memory.state;
      return { memory: withState(memory, state, now, liveness.why, { ...base, healthySince: undefined }) };
    }
    if (probe.ready === false || probe.ready === undefined) {
      const why = probe.ready === false ? `not ready: ${(probe.readyReasons ?? []).join('; ') || 'readyz 503'}` : 'readyz did not answer';
      return { memory: withState(memory, 'not-ready', now, why, { ...base, healthySince: undefined }) };
    }
    const healthySince = memory.healthySince ?? now;
    let budget = recordHealthy(memory.budget, healthySince, now, policy);
    if (memory.state === 'gave-up') budget = resumeAfterGivingUp(budget);
    const message = memory.state === 'gave-up' ? 'healthy again: restarting resumed' : 'live and ready';
    return { memory: withState(memory, 'healthy', now, message, { ...base, healthySince, budget }) };
  }
  if (liveness.kind === 'starting') {
    return { memory: withState(memory, 'starting', now, liveness.why, { ...base, healthySince: undefined }) };
  }
  const order = liveness.order;
  const verdict = budgetVerdict(memory.budget, now, policy);
  const failed = { ...base, healthySince: undefined };
  if (verdict.kind === 'exhausted') {
    const message = `gave up restarting (${policy.maxRestarts} restarts within ${Math.round(policy.windowMs / 1000)} s); next attempt after ${new Date(verdict.until).toISOString()}; ${order.reason}`;
    return { memory: withState(memory, 'gave-up', now, message, failed) };
  }
  if (verdict.kind === 'backing-off') {
    const message = `backing off until ${new Date(verdict.until).toISOString()}; ${order.reason}`;
    return { memory: withState(memory, 'backing-off', now, message, failed) };
  }
  const budget = recordRestart(memory.budget, now, policy);
  return { memory: withState(memory, 'restarting', now, `restarting: ${order.reason}`, { ...failed, budget }), restart: order };
}

/** The memory once a restart has been carried out: start-up grace from `now`, streaks cleared. */
export function afterRestart(memory: WatchdogMemory, now: number, policy: DecisionPolicy, outcome: string): WatchdogMemory {
  return withState(memory, 'starting', now, outcome, { graceUntil: now + policy.graceMs, hungStreak: 0, lastProgress: undefined, healthySince: undefined });
}
