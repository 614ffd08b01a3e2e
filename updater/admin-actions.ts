/**
 * The admin's levers, kept in the status file so the watchdog and `status` see them:
 * hold / release-hold, pin / unpin, and retry (forget failed commits and a CRITICAL state).
 */
import { EndpointError, describeError } from '../core/errors';
import type { UpdaterContext } from './context';
import type { UpdaterStatus } from './status-store';

/** Stops (true) or allows (false) updates. */
export function setHold(context: UpdaterContext, held: boolean): UpdaterStatus {
  return context.status.update((status) => {
    if (held) status.held = true;
    else delete status.held;
  });
}

/** Pins the deployment to a commit (fetching once if the clone does not know it yet). */
export async function pinCommit(context: UpdaterContext, ref: string): Promise<string> {
  const { repo } = context;
  await repo.ensure();
  let commit: string;
  try {
    commit = await repo.resolve(ref);
  } catch {
    try {
      await repo.fetch();
    } catch (error) {
      throw new EndpointError('SERVICE_UNAVAILABLE', `${ref} is not known locally and the fetch failed: ${describeError(error)}`);
    }
    commit = await repo.resolve(ref);
  }
  context.status.update((status) => {
    status.pinned = commit;
  });
  return commit;
}

/** Removes the pin. */
export function clearPin(context: UpdaterContext): UpdaterStatus {
  return context.status.update((status) => {
    delete status.pinned;
  });
}

/** Forgets failed commits (all, or the ones starting with `commit`) and clears CRITICAL. */
export function retryFailed(context: UpdaterContext, commit?: string): string[] {
  let forgotten: string[] = [];
  context.status.update((status) => {
    forgotten = status.failedCommits.filter((failed) => commit === undefined || failed.startsWith(commit));
    status.failedCommits = status.failedCommits.filter((failed) => !forgotten.includes(failed));
    delete status.critical;
  });
  return forgotten;
}
