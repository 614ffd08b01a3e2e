/**
 * The state folder's owner runs the endpoint. A command that writes state (update, export,
 * watchdog, gateway start) started by root switches to the owner of the state folder before it
 * does anything, so an admin's `sudo endpoint update run` leaves files the service user can
 * still write (no root-owned 640 status files, no "dubious ownership" from git). Started by
 * another ordinary user it is refused, naming the user to run it as.
 */
import { readFileSync, statSync } from 'node:fs';
import { EndpointError } from './errors';

/** A user as /etc/passwd lists it. */
export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

/** The /etc/passwd entry of a uid, if there is one. */
export function passwdEntry(uid: number, passwdFile = '/etc/passwd'): PasswdEntry | undefined {
  let text: string;
  try {
    text = readFileSync(passwdFile, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const [name, , uidText, gidText, , home] = line.split(':');
    if (name !== undefined && Number(uidText) === uid && uidText !== '')
      return { name, uid, gid: Number(gidText), home: home ?? '/' };
  }
  return undefined;
}

/** What {@link runAsStateOwner} did. */
export type OwnerSwitch = { kind: 'same' | 'no-state-folder' } | { kind: 'switched'; user: string; uid: number };

/**
 * Makes this process the state folder's owner: nothing when it already is (or the folder does
 * not exist yet); as root, switches groups, gid and uid (and HOME, USER, LOGNAME) to the owner;
 * otherwise throws FORBIDDEN naming the owner.
 */
export function runAsStateOwner(stateDir: string, command: string): OwnerSwitch {
  if (typeof process.getuid !== 'function') return { kind: 'same' };
  let owner: { uid: number; gid: number };
  try {
    owner = statSync(stateDir);
  } catch {
    return { kind: 'no-state-folder' };
  }
  const uid = process.getuid();
  if (uid === owner.uid) return { kind: 'same' };
  const entry = passwdEntry(owner.uid);
  const name = entry?.name ?? `uid ${owner.uid}`;
  if (uid !== 0) {
    throw new EndpointError(
      'FORBIDDEN',
      `${stateDir} belongs to ${name}; '${command}' writes state there, so run it as that user (sudo -u ${entry?.name ?? `'#${owner.uid}'`} …), not as ${passwdEntry(uid)?.name ?? `uid ${uid}`}.`,
    );
  }
  const gid = entry?.gid ?? owner.gid;
  process.setgroups?.([gid]);
  process.setgid?.(gid);
  process.setuid?.(owner.uid);
  if (entry !== undefined) {
    process.env.HOME = entry.home;
    process.env.USER = entry.name;
    process.env.LOGNAME = entry.name;
  }
  return { kind: 'switched', user: name, uid: owner.uid };
}
