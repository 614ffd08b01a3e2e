/**
 * A small table-driven JSON validator: a schema is data (nodes of kinds), one walker checks a
 * value against it and throws `INVALID_QUERY` naming the first bad field path. Before the walk,
 * a structural scan rejects keys starting with `$`, prototype keys and excessive nesting.
 */
import { EndpointError } from '../../core/errors';

/** One node of a schema. */
export type SchemaNode =
  | { kind: 'object'; fields: Record<string, FieldRule>; exactlyOneOf?: string[][]; requiresTogether?: [string, string][] }
  | { kind: 'array'; of: SchemaNode; maxItems: number; minItems?: number }
  | { kind: 'string'; maxLength: number; pattern?: RegExp; patternDoc?: string; values?: readonly string[] }
  | { kind: 'stringOrStrings'; maxItems: number; item: SchemaNode & { kind: 'string' } }
  | { kind: 'number'; min: number; max: number; integer?: boolean }
  | { kind: 'boolean' }
  | { kind: 'date' }
  | { kind: 'literal'; value: number | string };

/** A field of an object node. */
export interface FieldRule {
  schema: SchemaNode;
  required?: boolean;
}

/** Structural limits checked before the schema walk. */
export const STRUCTURE_LIMITS = { maxDepth: 8, maxKeysPerObject: 32 } as const;

function fail(path: string, problem: string): never {
  throw new EndpointError('INVALID_QUERY', `${path || 'body'} ${problem}`, { details: { field: path || 'body' } });
}

function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

/** Rejects operator keys (`$…`), prototype keys and nesting deeper than the limit, anywhere in `value`. */
export function scanStructure(value: unknown, path = '', depth = 0): void {
  if (depth > STRUCTURE_LIMITS.maxDepth) fail(path, `is nested too deeply (more than ${STRUCTURE_LIMITS.maxDepth} levels)`);
  if (Array.isArray(value)) {
    value.forEach((item, index) => scanStructure(item, join(path, index), depth + 1));
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const keys = Object.keys(value);
  if (keys.length > STRUCTURE_LIMITS.maxKeysPerObject) fail(path, `has too many keys (at most ${STRUCTURE_LIMITS.maxKeysPerObject})`);
  for (const key of keys) {
    if (key.startsWith('$')) fail(join(path, key), 'is not allowed: keys starting with "$" (operators) are never accepted');
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') fail(join(path, key), 'is not allowed');
    scanStructure((value as Record<string, unknown>)[key], join(path, key), depth + 1);
  }
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

function checkString(node: SchemaNode & { kind: 'string' }, value: unknown, path: string): void {
  if (typeof value !== 'string') fail(path, `must be a string, not ${typeName(value)}`);
  if (node.values && !node.values.includes(value)) fail(path, `must be one of ${node.values.map((v) => JSON.stringify(v)).join(', ')}`);
  if (value.length === 0 || value.length > node.maxLength) fail(path, `must be 1–${node.maxLength} characters long`);
  if (node.pattern && !node.pattern.test(value)) fail(path, `must be ${node.patternDoc ?? `like ${node.pattern.source}`}`);
}

function checkDate(value: unknown, path: string): void {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) fail(path, 'must be a date YYYY-MM-DD');
  const date = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) fail(path, 'must be a real calendar date YYYY-MM-DD');
  const year = date.getUTCFullYear();
  if (year < 1900 || year > 2200) fail(path, 'must be a date between 1900 and 2200');
}

function checkObject(node: SchemaNode & { kind: 'object' }, value: unknown, path: string): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(path, `must be an object, not ${typeName(value)}`);
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!Object.hasOwn(node.fields, key)) fail(join(path, key), `is not a known field (known: ${Object.keys(node.fields).join(', ')})`);
  }
  for (const [key, rule] of Object.entries(node.fields)) {
    if (record[key] === undefined) {
      if (rule.required) fail(join(path, key), 'is required');
      continue;
    }
    validate(rule.schema, record[key], join(path, key));
  }
  for (const group of node.exactlyOneOf ?? []) {
    const present = group.filter((key) => record[key] !== undefined);
    if (present.length !== 1) fail(path, `must have exactly one of ${group.join(', ')}`);
  }
  for (const [needs, needed] of node.requiresTogether ?? []) {
    if ((record[needs] === undefined) !== (record[needed] === undefined)) fail(path, `must give ${needs} and ${needed} together`);
  }
}

/** Checks `value` against `node`; throws `INVALID_QUERY` naming the path of the first problem. */
export function validate(node: SchemaNode, value: unknown, path = ''): void {
  switch (node.kind) {
    case 'object':
      return checkObject(node, value, path);
    case 'array':
      if (!Array.isArray(value)) fail(path, `must be an array, not ${typeName(value)}`);
      if (value.length > node.maxItems) fail(path, `must have at most ${node.maxItems} items`);
      if (value.length < (node.minItems ?? 0)) fail(path, `must have at least ${node.minItems} items`);
      value.forEach((item, index) => validate(node.of, item, join(path, index)));
      return;
    case 'string':
      return checkString(node, value, path);
    case 'stringOrStrings':
      if (Array.isArray(value)) {
        if (value.length === 0 || value.length > node.maxItems) fail(path, `must have 1–${node.maxItems} items`);
        value.forEach((item, index) => checkString(node.item, item, join(path, index)));
        return;
      }
      return checkString(node.item, value, path);
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) fail(path, `must be a number, not ${typeName(value)}`);
      if (node.integer && !Number.isInteger(value)) fail(path, 'must be a whole number');
      if (value < node.min || value > node.max) fail(path, `must be between ${node.min} and ${node.max}`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') fail(path, `must be true or false, not ${typeName(value)}`);
      return;
    case 'date':
      return checkDate(value, path);
    case 'literal':
      if (value !== node.value) fail(path, `must be ${JSON.stringify(node.value)}`);
      return;
  }
}
