/**
 * The read-only check: reads the account's grants (`SHOW GRANTS`, following granted roles) and
 * names every privilege that could change data in the OSCAR database.
 */

/** Privileges that let an account change data, structure or run code that does. */
export const WRITE_PRIVILEGES: readonly string[] = [
  'ALL', 'ALL PRIVILEGES', 'INSERT', 'UPDATE', 'DELETE', 'DELETE HISTORY', 'CREATE', 'DROP', 'ALTER', 'INDEX',
  'CREATE VIEW', 'CREATE ROUTINE', 'ALTER ROUTINE', 'EXECUTE', 'TRIGGER', 'EVENT', 'FILE', 'SUPER', 'GRANT OPTION',
];

/** One parsed `GRANT … ON … TO …` line. */
export interface GrantLine {
  privileges: string[];
  /** `*.*`, `db.*` or `db.table` with quotes removed. */
  scope: string;
}

/** A role granted to the account (`GRANT role TO user`). */
export interface RoleGrant {
  role: string;
}

/** Parses one line of `SHOW GRANTS` output. */
export function parseGrant(line: string): GrantLine | RoleGrant | undefined {
  const privilegeMatch = /^GRANT\s+(.+?)\s+ON\s+(?:TABLE\s+|FUNCTION\s+|PROCEDURE\s+)?(\S+)\s+TO\s+/i.exec(line);
  if (privilegeMatch) {
    const privileges = privilegeMatch[1]
      .replace(/\([^)]*\)/g, '')
      .split(',')
      .map((privilege) => privilege.trim().toUpperCase())
      .filter((privilege) => privilege !== '');
    if (/WITH\s+GRANT\s+OPTION/i.test(line)) privileges.push('GRANT OPTION');
    return { privileges, scope: privilegeMatch[2].replace(/[`"]/g, '') };
  }
  const roleMatch = /^GRANT\s+(\S+)\s+TO\s+/i.exec(line);
  if (roleMatch) return { role: roleMatch[1].replace(/[`'"]/g, '') };
  return undefined;
}

/** True when a grant's scope covers the database (`*.*`, `db.*`, `db.table`, or a wildcard pattern). */
export function scopeCovers(scope: string, database: string): boolean {
  const [schema] = scope.split('.');
  if (schema === '*') return true;
  const pattern = new RegExp('^' + schema.replace(/[.+^${}()|[\]]/g, '\\$&').replace(/\\?_/g, '.').replace(/%/g, '.*') + '$', 'i');
  return schema.toLowerCase() === database.toLowerCase() || pattern.test(database);
}

/** The write privileges among grant lines that cover `database` (e.g. `INSERT on *.*`). */
export function writePrivilegesIn(lines: readonly GrantLine[], database: string): string[] {
  const found: string[] = [];
  for (const line of lines) {
    if (!scopeCovers(line.scope, database)) continue;
    for (const privilege of line.privileges) {
      if (WRITE_PRIVILEGES.includes(privilege)) found.push(`${privilege} on ${line.scope}`);
    }
  }
  return found;
}
