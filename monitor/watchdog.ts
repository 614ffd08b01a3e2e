/**
 * The watchdog loop: every interval, probe the gateway (unless the updater holds the update
 * lock), feed the decision machine, carry out a restart it orders, write the status file (with a
 * heartbeat, paused or not), log state changes, notify systemd, and now and then POST the status
 * to the report URL. A supervised gateway also restarts on request (`watchdog restart-gateway`,
 * SIGHUP): the updater's way to restart it without systemd, paused or not, outside the budget.
 */
import path from 'node:path';
import type { Config } from '../core/config/load';
import { EXPORTER_LOCK_OWNER, isLockHeld, readLock, updateLockFile } from '../core/lock';
import type { Logger } from '../core/logger';
import { probeGateway } from './gateway-probe';
import { RestartCommand, SupervisedGateway, type GatewayRestarter } from './gateway-restarter';
import { postStatusReport, reportUrlAllowed, restartsFromFile, statusFileOf, writeWatchdogStatus, type WatchdogFacts } from './status-report';
import { notifySystemd } from './systemd-notify';
import { afterRestart, decide, initialMemory, type DecisionPolicy, type Observation, type RestartOrder, type WatchdogMemory } from './watchdog-decision';

/** The decision limits from the configuration. */
export function decisionPolicy(config: Config): DecisionPolicy {
  return {
    hungAfter: config.watchdogHungAfter,
    graceMs: config.watchdogGraceMs,
    backoffInitialMs: config.watchdogBackoffInitialMs,
    backoffMaxMs: config.watchdogBackoffMaxMs,
    backoffResetMs: config.watchdogBackoffResetMs,
    maxRestarts: config.watchdogMaxRestarts,
    windowMs: config.watchdogRestartWindowMs,
  };
}

/** The pid file of a supervised gateway. */
export function supervisedPidFile(stateDir: string): string {
  return path.join(stateDir, 'gateway.pid');
}

/** Options of {@link Watchdog}. */
export interface WatchdogOptions {
  config: Config;
  /** Run the gateway as a child process instead of using the restart command. */
  supervise: boolean;
  log: Logger;
}

/** The running watchdog; `run()` resolves after `stop()`. */
export class Watchdog {
  private readonly policy: DecisionPolicy;
  private readonly restarter: GatewayRestarter;
  private memory: WatchdogMemory;
  private readonly facts: WatchdogFacts;
  private stopping = false;
  private wake?: () => void;
  private wakeRequested = false;
  private lastReportAt = 0;
  /** Restarts run one after the other (the loop's and requested ones). */
  private restartChain: Promise<unknown> = Promise.resolve();
  /** Counts restarts; a probe taken across a restart says nothing about the new process. */
  private restartEpoch = 0;

  constructor(private readonly options: WatchdogOptions) {
    const { config, log } = options;
    this.policy = decisionPolicy(config);
    const now = Date.now();
    this.memory = initialMemory(now, this.policy);
    this.facts = { restarts: restartsFromFile(config.stateDir, now) };
    this.restarter = options.supervise
      ? new SupervisedGateway({
          command: config.watchdogGatewayCommand,
          reportDir: path.join(config.stateDir, 'reports'),
          pidFile: supervisedPidFile(config.stateDir),
          workDir: path.join(config.updateDeployDir, 'current'),
          drainDeadlineMs: config.watchdogDrainDeadlineMs,
          reportWaitMs: config.watchdogReportWaitMs,
          log,
        })
      : new RestartCommand(config.watchdogRestartCommand, config.watchdogCommandTimeoutMs, log);
    this.restarter.onChildExit = () => {
      this.wakeRequested = true;
      this.wake?.();
    };
  }

  /** Asks the loop to end (and a supervised gateway to stop). */
  stop(): void {
    this.stopping = true;
    this.wake?.();
  }

  /**
   * Restarts a supervised gateway now, on request (not counted in the budget, not a failure);
   * resolves with what was done. Without supervision there is nothing to restart here.
   */
  requestRestart(reason: string): Promise<string> {
    if (!this.options.supervise) return Promise.resolve('not supervising: restart the gateway with its service manager');
    return this.serialRestart({ cause: 'requested', reason }, false);
  }

  /** Runs one restart after any in progress; `countedAt`: the time the budget counted it (loop restarts only). */
  private serialRestart(order: RestartOrder, counted: boolean, countedAt = Date.now()): Promise<string> {
    const run = async (): Promise<string> => {
      if (this.stopping) return 'watchdog stopping; no restart';
      const startedAt = Date.now();
      if (counted) {
        this.facts.restarts.push(countedAt);
        this.facts.lastRestartReason = order.reason;
        this.writeStatus();
      }
      this.restartEpoch++;
      const outcome = await this.restarter.restart(order);
      this.restartEpoch++;
      this.options.log[counted ? 'warn' : 'info']({ cause: order.cause, reason: order.reason, tookMs: Date.now() - startedAt }, outcome);
      this.transition(afterRestart(this.memory, Date.now(), this.policy, outcome));
      return outcome;
    };
    const next = this.restartChain.then(run, run);
    this.restartChain = next.catch(() => undefined);
    return next;
  }

  /** Runs until {@link stop}. */
  async run(): Promise<void> {
    const { config, log } = this.options;
    if (config.watchdogProbeTimeoutMs <= config.requestTimeoutMs) {
      log.warn({ probeTimeoutMs: config.watchdogProbeTimeoutMs, requestTimeoutMs: config.requestTimeoutMs }, 'the probe timeout is not longer than the gateway request timeout: a busy gateway may look hung');
    }
    if (config.watchdogReportUrl !== undefined && !reportUrlAllowed(config.watchdogReportUrl)) {
      log.warn({ url: config.watchdogReportUrl }, 'ENDPOINT_WATCHDOG_REPORT_URL must be https (plain http only to loopback): no status reports');
    }
    log.info({ supervise: this.options.supervise, gatewayUrl: config.gatewayUrl, intervalMs: config.watchdogIntervalMs }, 'watchdog started');
    this.restarter.start();
    this.writeStatus();
    await notifySystemd('READY=1');
    while (!this.stopping) {
      const started = Date.now();
      await this.step();
      await notifySystemd('WATCHDOG=1');
      await this.maybeReport();
      await this.pause(started + config.watchdogIntervalMs - Date.now());
    }
    await this.restartChain;
    await this.restarter.stop();
    log.info({}, 'watchdog stopped');
  }

  private pause(ms: number): Promise<void> {
    if (ms <= 0 || this.stopping || this.wakeRequested) {
      this.wakeRequested = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        this.wakeRequested = false;
        done();
      };
    });
  }

  /**
   * True while an update holds the lock (it restarts the gateway itself). An export run holds
   * the same lock, but a gateway that crashes during an export must still be restarted.
   */
  private lockHeld(): boolean {
    const file = updateLockFile(this.options.config.stateDir);
    return isLockHeld(file) && readLock(file)?.owner !== EXPORTER_LOCK_OWNER;
  }

  /** One probe, decision and (maybe) restart. */
  private async step(): Promise<void> {
    const { config } = this.options;
    await this.restartChain; // a requested restart in progress finishes first
    const epoch = this.restartEpoch;
    let observation: Observation;
    if (this.lockHeld()) {
      observation = { kind: 'update-lock-held' };
    } else {
      const probe = await probeGateway(config.gatewayUrl, config.watchdogProbeTimeoutMs);
      probe.childExited = this.restarter.childExited();
      if (probe.childExited) probe.detail = this.restarter.exitDetail;
      this.facts.lastProbeAt = Date.now();
      if (probe.latencyMs !== undefined) this.facts.lastLatencyMs = probe.latencyMs;
      // The updater may have taken the lock while the probe waited.
      observation = this.lockHeld() ? { kind: 'update-lock-held' } : { kind: 'probe', probe };
    }
    if (epoch !== this.restartEpoch) return; // restarted on request meanwhile: probe the new process next time
    const decidedAt = Date.now();
    const decision = decide(this.memory, observation, decidedAt, this.policy);
    this.transition(decision.memory);
    if (decision.restart === undefined || this.stopping) return;
    await this.serialRestart(decision.restart, true, decidedAt);
  }

  private transition(next: WatchdogMemory): void {
    const previous = this.memory;
    this.memory = next;
    if (next.state !== previous.state) {
      const level = next.state === 'healthy' || next.state === 'starting' || next.state === 'paused-for-update' ? 'info' : 'warn';
      this.options.log[level]({ state: next.state, previous: previous.state, reason: next.message }, `watchdog: ${previous.state} -> ${next.state}`);
    }
    this.writeStatus();
  }

  private writeStatus(): void {
    try {
      writeWatchdogStatus(this.options.config.stateDir, statusFileOf(this.memory, this.facts, Date.now()));
    } catch (error) {
      this.options.log.error({ err: error instanceof Error ? error.message : String(error) }, 'watchdog status file could not be written');
    }
  }

  private async maybeReport(): Promise<void> {
    const { config, log } = this.options;
    const url = config.watchdogReportUrl;
    if (url === undefined || !reportUrlAllowed(url)) return;
    const now = Date.now();
    if (now - this.lastReportAt < config.watchdogReportIntervalMs) return;
    this.lastReportAt = now;
    await postStatusReport(url, statusFileOf(this.memory, this.facts, now), Math.min(10000, config.watchdogReportIntervalMs), log);
  }
}
