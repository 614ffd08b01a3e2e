/**
 * systemd notifications through the `systemd-notify` command, only when `NOTIFY_SOCKET` is set
 * (the watchdog runs as a Type=notify unit). A missing command is skipped silently.
 */
import { execFile } from 'node:child_process';

/** Sends one notification line (e.g. `READY=1`, `WATCHDOG=1`); resolves whether it was sent. */
export function notifySystemd(line: string, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  if (!env.NOTIFY_SOCKET) return Promise.resolve(false);
  return new Promise((resolve) => {
    execFile('systemd-notify', [line], { env, timeout: 5000 }, (error) => resolve(error === null));
  });
}
