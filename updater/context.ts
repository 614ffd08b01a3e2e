/**
 * Everything one updater invocation works with, built once from the configuration:
 * the deployment layout, the fetch clone, the gateway client, the status file and the journal.
 */
import type { Config } from '../core/config/load';
import type { Logger } from '../core/logger';
import { GatewayClient } from './gateway-client';
import { MaintenanceWindow } from './maintenance-window';
import { PhaseJournal } from './phase-journal';
import { DeployLayout } from './release-dir';
import { ReleaseRepository } from './release-repository';
import { UpdateStatusStore } from './status-store';

/** The updater's parts and settings. */
export interface UpdaterContext {
  config: Config;
  log: Logger;
  layout: DeployLayout;
  repo: ReleaseRepository;
  gateway: GatewayClient;
  status: UpdateStatusStore;
  journal: PhaseJournal;
  window?: MaintenanceWindow;
}

/** Builds the context from a loaded configuration. */
export function createUpdaterContext(config: Config, log: Logger): UpdaterContext {
  const layout = new DeployLayout(config.updateDeployDir);
  return {
    config,
    log,
    layout,
    repo: new ReleaseRepository({ repoDir: layout.repoDir, remote: config.updateRemote, branch: config.updateBranch, fetchTimeoutMs: config.updateFetchTimeoutSeconds * 1000 }),
    gateway: new GatewayClient(config.gatewayUrl, config.adminToken, Math.min(5000, Math.max(1000, config.updatePollMs * 5))),
    status: new UpdateStatusStore(config.stateDir, log),
    journal: new PhaseJournal(config.stateDir),
    window: config.updateWindow === undefined ? undefined : new MaintenanceWindow(config.updateWindow, config.updateWindowMinutes),
  };
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
