/**
 * Switch, restart, verify, soak — and roll back. The new release counts only when the
 * restarted gateway is ready AND reports the new commit within the deadline, then keeps
 * answering with that commit for the soak period. On any failure the `current` link goes back
 * to the previous release (already built: no rebuild), the gateway is restarted and the old
 * version verified; if even that fails, the status becomes CRITICAL with the next step.
 */
import type { UpdaterContext } from './context';
import { sleep } from './context';
import { short } from './update-check';
import type { JournalEntry } from './phase-journal';
import { describeShellFailure, runShellCommand } from './shell-command';

/** How a switch ended. */
export interface SwitchResult {
  outcome: 'updated' | 'rolled-back' | 'rollback-failed';
  message: string;
}

/** Runs the configured restart command (cwd: the deployment folder). */
async function restartGateway(context: UpdaterContext, commit: string): Promise<string | undefined> {
  const { config, layout } = context;
  const outcome = await runShellCommand(config.updateRestartCommand, {
    cwd: layout.deployDir,
    env: { ...process.env, ENDPOINT_UPDATE_CURRENT: layout.currentLink, ENDPOINT_UPDATE_COMMIT: commit },
    timeoutMs: config.updateRestartTimeoutSeconds * 1000,
  });
  return outcome.code === 0 ? undefined : describeShellFailure('the restart command', config.updateRestartCommand, outcome);
}

function sameCommit(reported: string | undefined, expected: string): boolean {
  return reported !== undefined && reported.length >= 7 && (expected.startsWith(reported) || reported.startsWith(expected));
}

/** Waits until readyz is OK and status reports `commit`; the last reason on timeout. */
export async function verifyGateway(context: UpdaterContext, commit: string): Promise<string | undefined> {
  const { gateway, config } = context;
  const deadline = Date.now() + config.updateVerifySeconds * 1000;
  let reason = 'no answer yet';
  while (Date.now() < deadline) {
    const ready = await gateway.readyz();
    if (!ready.ok) reason = ready.reason;
    else {
      const status = await gateway.status();
      if (!status.ok) reason = status.reason;
      else if (!sameCommit(status.value.commit, commit)) reason = `/status reports commit ${status.value.commit ?? '(none)'}, not ${short(commit)}`;
      else return undefined;
    }
    await sleep(config.updatePollMs);
  }
  return `not verified within ${config.updateVerifySeconds} s: ${reason}`;
}

/** Watches the gateway for the soak period: livez keeps answering and the commit stays. */
async function soak(context: UpdaterContext, commit: string): Promise<string | undefined> {
  const { gateway, config } = context;
  const until = Date.now() + config.updateSoakSeconds * 1000;
  while (Date.now() < until) {
    const live = await gateway.livez();
    if (!live.ok) return `crashed during the ${config.updateSoakSeconds} s soak: ${live.reason}`;
    const status = await gateway.status();
    if (status.ok && !sameCommit(status.value.commit, commit)) return `during the soak the gateway went back to commit ${status.value.commit ?? '(none)'}`;
    await sleep(config.updatePollMs);
  }
  return undefined;
}

/**
 * From the `switching` phase on: points `current` at the new release, restarts, verifies and
 * soaks; rolls back on failure. Clears the journal at the end either way.
 */
export async function switchAndVerify(context: UpdaterContext, entry: JournalEntry): Promise<SwitchResult> {
  const { layout, journal } = context;
  journal.advance(entry, { phase: 'switching' });
  layout.switchTo(entry.commit);
  journal.advance(entry, { phase: 'restarting' });
  let failure = await restartGateway(context, entry.commit);
  if (failure === undefined) {
    journal.advance(entry, { phase: 'verifying' });
    failure = await verifyGateway(context, entry.commit);
  }
  if (failure === undefined) {
    journal.advance(entry, { phase: 'soaking' });
    failure = await soak(context, entry.commit);
  }
  if (failure === undefined) {
    journal.clear();
    await context.gateway.undrain();
    return { outcome: 'updated', message: `now running ${short(entry.commit)} (was ${short(entry.previous)}); ready and verified` };
  }
  return rollBack(context, entry, failure);
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
  let rollbackFailure = await restartGateway(context, entry.previous);
  rollbackFailure ??= await verifyGateway(context, entry.previous);
  journal.clear();
  if (rollbackFailure === undefined) {
    await context.gateway.undrain();
    return { outcome: 'rolled-back', message: `${newCommit} failed after the switch (${failure}); rolled back to ${short(entry.previous)}, which is serving again` };
  }
  return {
    outcome: 'rollback-failed',
    message:
      `${newCommit} failed (${failure}) and the rollback to ${short(entry.previous)} could not be verified (${rollbackFailure}). ` +
      `Next step: check the gateway's service log, make sure ${layout.currentLink} points to releases/${entry.previous}, start the service (${config.updateRestartCommand}), ` +
      `confirm ${config.gatewayUrl}/readyz answers 200, then run 'endpoint update retry' to clear this state.`,
  };
}
