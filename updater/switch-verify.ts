/**
 * Switch, restart, verify, soak — and roll back. The new release counts only when the
 * restarted gateway is ready AND reports the new commit within the deadline, then keeps
 * answering with that commit, from the same process, for the soak period. A release that does
 * not start is seen at once: nothing listening for ENDPOINT_UPDATE_DOWN_SECONDS, or the process
 * replaced (crashed and restarted by systemd), ends the verification without waiting out the
 * deadline. On failure the `current` link goes back to the previous release (already built),
 * the gateway is restarted (the restart command resets a spent systemd start limit first) and
 * the old version verified; if even that fails, the result says what an admin must do.
 * A restart command that fails is the box's fault, not the commit's: the old process keeps (or
 * gets back) the link and the commit is not remembered as failed.
 */
import type { UpdaterContext } from './context';
import { sleep } from './context';
import { short } from './update-check';
import type { JournalEntry } from './phase-journal';
import { describeShellFailure, runShellCommand } from './shell-command';

/** How a switch ended. */
export interface SwitchResult {
  outcome: 'updated' | 'rolled-back' | 'rollback-failed' | 'restart-failed';
  message: string;
}

/** Runs the configured restart command (cwd: the deployment folder); the failure in words, or undefined. */
async function restartGateway(context: UpdaterContext, commit: string): Promise<string | undefined> {
  const { config, layout, log } = context;
  const outcome = await runShellCommand(config.updateRestartCommand, {
    cwd: layout.deployDir,
    env: { ...process.env, ENDPOINT_UPDATE_CURRENT: layout.currentLink, ENDPOINT_UPDATE_COMMIT: commit },
    timeoutMs: config.updateRestartTimeoutSeconds * 1000,
  });
  if (outcome.code === 0) return undefined;
  log.warn(
    { command: config.updateRestartCommand, output: outcome.outputTail.trim().slice(-1000) },
    'restart command failed',
  );
  return describeShellFailure('the restart command', config.updateRestartCommand, outcome);
}

function sameCommit(reported: string | undefined, expected: string): boolean {
  return (
    reported !== undefined && reported.length >= 7 && (expected.startsWith(reported) || reported.startsWith(expected))
  );
}

/** A verified gateway: the process (its start time) that answered with the commit. */
export type Verified = { ok: true; startedAt?: string } | { ok: false; reason: string };

/**
 * Waits until readyz is OK and status reports `commit`. Fails early when nothing listens for
 * ENDPOINT_UPDATE_DOWN_SECONDS in a row, or when the process that reported `commit` is replaced.
 */
export async function verifyGateway(context: UpdaterContext, commit: string): Promise<Verified> {
  const { gateway, config } = context;
  const deadline = Date.now() + config.updateVerifySeconds * 1000;
  const downLimitMs = config.updateDownSeconds * 1000;
  let reason = 'no answer yet';
  let downSince: number | undefined;
  let startedAt: string | undefined;
  while (Date.now() < deadline) {
    const status = await gateway.status();
    const now = Date.now();
    if (!status.ok) {
      reason = status.reason;
      if (status.refused === true) {
        downSince ??= now;
        if (now - downSince >= downLimitMs) {
          return {
            ok: false,
            reason: `nothing listens at ${config.gatewayUrl} for ${config.updateDownSeconds} s after the restart (${status.reason}): the release does not start`,
          };
        }
      } else downSince = undefined;
    } else {
      downSince = undefined;
      const value = status.value;
      if (!sameCommit(value.commit, commit))
        reason = `/status reports commit ${value.commit ?? '(none)'}, not ${short(commit)}`;
      else {
        if (startedAt !== undefined && value.startedAt !== undefined && value.startedAt !== startedAt) {
          return {
            ok: false,
            reason: `the gateway process was replaced during verification (started ${startedAt}, then ${value.startedAt}): it crashed and was restarted`,
          };
        }
        startedAt ??= value.startedAt;
        // The old process, still drained by this update (its restart failed, or this is a rollback to it).
        if (value.draining === true) await gateway.undrain();
        const ready = await gateway.readyz();
        if (ready.ok) return { ok: true, startedAt };
        reason = ready.reason;
      }
    }
    await sleep(config.updatePollMs);
  }
  return { ok: false, reason: `not verified within ${config.updateVerifySeconds} s: ${reason}` };
}

/** Watches the gateway for the soak period: livez keeps answering, from the same process, with the same commit. */
async function soak(
  context: UpdaterContext,
  commit: string,
  startedAt: string | undefined,
): Promise<string | undefined> {
  const { gateway, config } = context;
  const until = Date.now() + config.updateSoakSeconds * 1000;
  while (Date.now() < until) {
    const live = await gateway.livez();
    if (!live.ok) return `crashed during the ${config.updateSoakSeconds} s soak: ${live.reason}`;
    const status = await gateway.status();
    if (status.ok && !sameCommit(status.value.commit, commit))
      return `during the soak the gateway went back to commit ${status.value.commit ?? '(none)'}`;
    if (
      status.ok &&
      startedAt !== undefined &&
      status.value.startedAt !== undefined &&
      status.value.startedAt !== startedAt
    ) {
      return `crashed during the ${config.updateSoakSeconds} s soak: the process was replaced (started ${startedAt}, then ${status.value.startedAt})`;
    }
    await sleep(config.updatePollMs);
  }
  return undefined;
}

/**
 * From the `switching` phase on: points `current` at the new release, restarts, verifies and
 * soaks; rolls back on failure. Clears the journal at the end either way. Undraining is the
 * caller's (it does so on every path).
 */
export async function switchAndVerify(context: UpdaterContext, entry: JournalEntry): Promise<SwitchResult> {
  const { layout, journal } = context;
  journal.advance(entry, { phase: 'switching' });
  layout.switchTo(entry.commit);
  journal.advance(entry, { phase: 'restarting' });
  const restartFailure = await restartGateway(context, entry.commit);
  if (restartFailure !== undefined) return keepPrevious(context, entry, restartFailure);
  journal.advance(entry, { phase: 'verifying' });
  const verified = await verifyGateway(context, entry.commit);
  let failure = verified.ok ? undefined : verified.reason;
  if (verified.ok) {
    journal.advance(entry, { phase: 'soaking' });
    failure = await soak(context, entry.commit, verified.startedAt);
  }
  if (failure === undefined) {
    journal.clear();
    return {
      outcome: 'updated',
      message: `now running ${short(entry.commit)} (was ${short(entry.previous)}); ready and verified`,
    };
  }
  return rollBack(context, entry, failure);
}

/**
 * The restart command failed: the link goes back; when the old process still serves the previous
 * commit nothing else is needed, otherwise it is restarted like a rollback. The commit is not to
 * blame, so the outcome is `restart-failed` (tried again at the next run), never a failed commit.
 */
async function keepPrevious(
  context: UpdaterContext,
  entry: JournalEntry,
  restartFailure: string,
): Promise<SwitchResult> {
  const { layout, journal, config } = context;
  if (entry.previous === undefined) return rollBack(context, entry, restartFailure);
  journal.advance(entry, { phase: 'rolling-back' });
  layout.switchTo(entry.previous);
  const fix = `Fix the restart command (ENDPOINT_UPDATE_RESTART_COMMAND=${config.updateRestartCommand}; under systemd the polkit rule deploy/polkit/50-e2e-endpoint.rules needs polkitd installed and running, without systemd use 'endpoint watchdog restart-gateway'); the next run tries again.`;
  const stillServing = await verifyGateway(context, entry.previous);
  if (stillServing.ok) {
    journal.clear();
    return {
      outcome: 'restart-failed',
      message: `${restartFailure}; ${short(entry.previous)} keeps serving, ${short(entry.commit)} was not installed. ${fix}`,
    };
  }
  const rolledBack = await rollBack(context, entry, restartFailure);
  if (rolledBack.outcome === 'rolled-back')
    return {
      outcome: 'restart-failed',
      message: `${restartFailure}; the gateway was restarted on ${short(entry.previous)}, ${short(entry.commit)} was not installed. ${fix}`,
    };
  return rolledBack;
}

/** Points `current` back at the previous release, restarts and verifies the old version. */
export async function rollBack(context: UpdaterContext, entry: JournalEntry, failure: string): Promise<SwitchResult> {
  const { layout, journal, config } = context;
  journal.advance(entry, { phase: 'rolling-back' });
  const newCommit = short(entry.commit);
  if (entry.previous === undefined) {
    journal.clear();
    return {
      outcome: 'rollback-failed',
      message: `first install of ${newCommit} failed (${failure}); there is no previous release to go back to. Next step: read the gateway's log, fix the cause, then run 'endpoint update retry' and 'endpoint update run'.`,
    };
  }
  layout.switchTo(entry.previous);
  const restartFailure = await restartGateway(context, entry.previous);
  const verified =
    restartFailure === undefined
      ? await verifyGateway(context, entry.previous)
      : { ok: false as const, reason: restartFailure };
  journal.clear();
  if (verified.ok) {
    return {
      outcome: 'rolled-back',
      message: `${newCommit} failed after the switch (${failure}); rolled back to ${short(entry.previous)}, which is serving again`,
    };
  }
  return {
    outcome: 'rollback-failed',
    message:
      `${newCommit} failed (${failure}) and the rollback to ${short(entry.previous)} could not be verified (${verified.reason}). ` +
      `Next step: check the gateway's service log, make sure ${layout.currentLink} points to releases/${entry.previous}, start the service ` +
      `(under systemd: systemctl reset-failed e2e-gateway, then systemctl start e2e-gateway; otherwise: ${config.updateRestartCommand}), ` +
      `confirm ${config.gatewayUrl}/readyz answers 200, then run 'endpoint update retry' to clear this state.`,
  };
}
