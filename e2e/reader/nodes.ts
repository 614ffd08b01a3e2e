/**
 * Access to the parser's plain-object tree (fast-xml-parser, attributes prefixed `@_`,
 * namespace prefixes removed, no value parsing) and the reading context that collects warnings.
 * Nothing here throws on a missing element.
 */
import type { Coded, DataWarning, ObservedValue, SectionName } from '../record';
import { findCodeSystem } from '../vocab/code-systems';
import { ID_OIDS } from '../vocab/oids';
import type { ValueMap } from '../vocab/value-maps';
import { WARNING_CODES, type WarningCode } from '../warnings';
import { decodeAttr, decodeText, hl7ToIso } from '../xml-text';

/** A parsed element: attributes as `@_name`, children by name, text as `#text` or a plain string. */
export type XmlNode = Record<string, unknown>;

/** What a reader of one section needs: where it is, the warning list, the caller's options. */
export interface ReadContext {
  section: SectionName | 'header';
  warnings: DataWarning[];
  keepNoteText: boolean;
}

/** Most warnings one document reports; past it, one last TOO_MANY_WARNINGS warning counts the rest. */
export const MAX_WARNINGS = 100;

const omittedWarnings = new WeakMap<DataWarning[], number>();

/** Adds a warning to a document's list: the first {@link MAX_WARNINGS}, then only a count of the others. */
export function addWarning(warnings: DataWarning[], warning: DataWarning): void {
  if (warnings.length < MAX_WARNINGS) {
    warnings.push(warning);
    return;
  }
  const omitted = (omittedWarnings.get(warnings) ?? 0) + 1;
  omittedWarnings.set(warnings, omitted);
  warnings[MAX_WARNINGS] = {
    code: WARNING_CODES.TOO_MANY_WARNINGS,
    message: `${omitted} more warnings were left out (the first ${MAX_WARNINGS} are listed).`,
  };
}

/** Adds a warning (never PHI: name fields and codes only). */
export function warn(ctx: ReadContext, code: WarningCode, message: string): void {
  addWarning(ctx.warnings, { code, section: ctx.section, message });
}

/** The first child element of that name, if it is an element. */
export function one(node: unknown, name: string): XmlNode | undefined {
  if (node === null || typeof node !== 'object') return undefined;
  let child = (node as XmlNode)[name];
  if (Array.isArray(child)) child = child[0];
  if (typeof child === 'string') return { '#text': child };
  return child !== null && typeof child === 'object' ? (child as XmlNode) : undefined;
}

/** All child elements of that name. */
export function many(node: unknown, name: string): XmlNode[] {
  if (node === null || typeof node !== 'object') return [];
  const child = (node as XmlNode)[name];
  if (child === undefined) return [];
  const list = Array.isArray(child) ? child : [child];
  return list.map((item) => (typeof item === 'string' ? { '#text': item } : (item as XmlNode)));
}

/** An attribute's value (decoded), or undefined when absent or empty. */
export function attr(node: XmlNode | undefined, name: string): string | undefined {
  const raw = node?.[`@_${name}`];
  if (typeof raw !== 'string' || raw === '') return undefined;
  return decodeAttr(raw);
}

/** An element's text (decoded, trimmed by the parser), or undefined when absent or empty. */
export function text(node: XmlNode | undefined): string | undefined {
  if (node === undefined) return undefined;
  const raw = node['#text'];
  if (typeof raw !== 'string' || raw === '') return undefined;
  return decodeText(raw);
}

/** Follows a path of first children. */
export function path(node: unknown, ...names: string[]): XmlNode | undefined {
  let current: XmlNode | undefined = node as XmlNode | undefined;
  for (const name of names) {
    current = one(current, name);
    if (current === undefined) return undefined;
  }
  return current;
}

/** The extension of an `id` element. */
export function idOf(node: XmlNode | undefined): string | undefined {
  for (const id of many(node, 'id')) {
    const extension = attr(id, 'extension');
    if (extension !== undefined) return extension;
  }
  return undefined;
}

/** A coded value with its code system resolved through the alias table; undefined for nullFlavor. */
export function coded(node: XmlNode | undefined, ctx: ReadContext, field: string): Coded | undefined {
  const code = attr(node, 'code');
  if (code === undefined) return undefined;
  const writtenOid = attr(node, 'codeSystem');
  const writtenName = attr(node, 'codeSystemName');
  const system = findCodeSystem(writtenOid, writtenName);
  if (system === undefined && (writtenOid !== undefined || writtenName !== undefined)) {
    warn(
      ctx,
      'UNKNOWN_CODE_SYSTEM',
      `${field}: code system ${writtenOid ?? writtenName} is not in the code-system table.`,
    );
  }
  const result: Coded = { code };
  const oid = system?.oid ?? writtenOid;
  if (oid !== undefined) result.codeSystem = oid;
  if (writtenName !== undefined) result.codeSystemName = writtenName;
  const displayName = attr(node, 'displayName');
  if (displayName !== undefined) result.displayName = displayName;
  return result;
}

/** An HL7 TS attribute (`value`) as ISO text; an invalid one becomes an INVALID_DATE warning. */
export function date(node: XmlNode | undefined, ctx: ReadContext, field: string): string | undefined {
  const raw = attr(node, 'value');
  if (raw === undefined) return undefined;
  const iso = hl7ToIso(raw);
  if (iso === undefined) warn(ctx, 'INVALID_DATE', `${field}: not a valid HL7 timestamp; left out.`);
  return iso;
}

/** The low and high dates of an effectiveTime (IVL_TS), or its single value as low. */
export function interval(node: XmlNode | undefined, ctx: ReadContext, field: string): { low?: string; high?: string } {
  if (node === undefined) return {};
  const low = one(node, 'low');
  const high = one(node, 'high');
  if (low === undefined && high === undefined) return { low: date(node, ctx, field) };
  return { low: date(low, ctx, `${field}.low`), high: date(high, ctx, `${field}.high`) };
}

/** A number written in an attribute; BAD_VALUE warning when it is not one. */
export function numberAttr(
  node: XmlNode | undefined,
  name: string,
  ctx: ReadContext,
  field: string,
): number | undefined {
  const raw = attr(node, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value)) {
    warn(ctx, 'BAD_VALUE', `${field}: not a number; left out.`);
    return undefined;
  }
  return value;
}

/** A `value` element: PQ → quantity, ST/other text → text, CD → its display name or code. */
export function observed(node: XmlNode | undefined, ctx: ReadContext, field: string): ObservedValue | undefined {
  if (node === undefined || attr(node, 'nullFlavor') !== undefined) return undefined;
  const type = attr(node, 'type');
  if (type === 'PQ' || (type === undefined && attr(node, 'value') !== undefined)) {
    const quantity = numberAttr(node, 'value', ctx, field);
    if (quantity === undefined) return undefined;
    const unit = attr(node, 'unit');
    return unit === undefined ? { quantity } : { quantity, unit };
  }
  const content = text(node) ?? attr(node, 'displayName') ?? attr(node, 'code') ?? attr(node, 'value');
  return content === undefined ? undefined : { text: content };
}

/** The value of a code through a value map (statusCode, reason …); BAD_VALUE warning for a code the map does not know. */
export function mapped<V extends string>(
  node: XmlNode | undefined,
  map: ValueMap<V>,
  ctx: ReadContext,
  field: string,
): V | undefined {
  const code = attr(node, 'code');
  if (code === undefined) return undefined;
  const value = map.read.get(code.toUpperCase());
  if (value === undefined) warn(ctx, 'BAD_VALUE', `${field}: unknown code ${code}.`);
  return value;
}

/** Removes keys whose value is undefined (records never carry them). */
export function prune<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) if (value[key] === undefined) delete value[key];
  return value;
}

/** The root of a physician id worth keeping: undefined for a CPSID (the writer's default) or none. */
export function providerIdRoot(root: string | undefined): string | undefined {
  return root === undefined || root === ID_OIDS.cpsid ? undefined : root;
}
