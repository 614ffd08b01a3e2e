/**
 * Reading OSCAR column values: text (double-encoding repaired, XML-illegal characters removed),
 * dates (zero dates read as missing, precision kept), flags and numbers.
 */
import type { SectionName } from '../../e2e/index';
import type { SqlRow } from '../source/oscar-source';
import type { WarningCollector } from './warnings';

/** MySQL's "latin1" is Windows-1252: the characters of bytes 0x80–0x9F, by byte. */
const CP1252_HIGH =
  '\u20AC\u0081\u201A\u0192\u201E\u2026\u2020\u2021\u02C6\u2030\u0160\u2039\u0152\u008D\u017D\u008F\u0090\u2018\u2019\u201C\u201D\u2022\u2013\u2014\u02DC\u2122\u0161\u203A\u0153\u009D\u017E\u0178';
const CP1252_BYTE = new Map<string, number>([...CP1252_HIGH].map((char, index) => [char, 0x80 + index]));
const MOJIBAKE = new RegExp(`[\u00C2-\u00F4][\u0080-\u00BF${CP1252_HIGH}]`);
const XML_ILLEGAL =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function cp1252Bytes(text: string): Buffer | undefined {
  const bytes = Buffer.alloc(text.length);
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    const byte =
      code <= 0xff && !(code >= 0x80 && code <= 0x9f && CP1252_BYTE.get(text[index]) === undefined)
        ? code
        : CP1252_BYTE.get(text[index]);
    if (byte === undefined) return undefined;
    bytes[index] = byte;
  }
  return bytes;
}

/**
 * Repairs UTF-8 text that was stored or read as latin1/Windows-1252 ("Ã©" → "é", "Ã‰" → "É"),
 * only when the repair round-trips exactly (so genuine latin1 text stays as it is).
 */
export function repairDoubleEncoding(text: string): string | undefined {
  if (!MOJIBAKE.test(text)) return undefined;
  const bytes = cp1252Bytes(text);
  if (bytes === undefined) return undefined;
  const decoded = bytes.toString('utf8');
  if (decoded.includes('\uFFFD') || !Buffer.from(decoded, 'utf8').equals(bytes)) return undefined;
  return decoded;
}

/** Where a value comes from, for warnings: section and `table.column`. */
export interface ValueSite {
  section: SectionName | 'header';
  column: string;
}

/** A text column: trimmed, repaired, XML-safe; empty → undefined. */
export function textOf(row: SqlRow, column: string, warnings: WarningCollector, site: ValueSite): string | undefined {
  const raw = row[column];
  if (raw === null || raw === undefined) return undefined;
  let text = String(raw);
  const repaired = repairDoubleEncoding(text);
  if (repaired !== undefined) {
    text = repaired;
    warnings.add('TEXT_REPAIRED', site.section, site.column);
  }
  if (XML_ILLEGAL.test(text)) {
    XML_ILLEGAL.lastIndex = 0;
    text = text.replace(XML_ILLEGAL, (match) => (match.length === 1 && match.charCodeAt(0) < 0x20 ? ' ' : '\uFFFD'));
    warnings.add('TEXT_REPLACED', site.section, site.column);
  }
  XML_ILLEGAL.lastIndex = 0;
  text = text.trim();
  return text === '' ? undefined : text;
}

const ZERO_DATE = /^(0000-00-00|0001-01-01)/;

/** Options of {@link dateOf}. */
export interface DateOptions {
  /** The column's default for "not set" (e.g. drugs.end_date '0001-01-01'): missing without a warning. */
  zeroMeansUnset?: boolean;
}

/**
 * A date or datetime column as ISO text (`2014-06-12` or `2014-06-12T10:30:00`). Zero dates
 * are missing (+ ZERO_DATE unless the column uses them for "not set"); impossible dates are
 * missing + INVALID_DATE.
 */
export function dateOf(
  row: SqlRow,
  column: string,
  warnings: WarningCollector,
  site: ValueSite,
  options: DateOptions = {},
): string | undefined {
  const raw = row[column];
  if (raw === null || raw === undefined) return undefined;
  const text = typeof raw === 'string' ? raw : String(raw);
  const fast = wellFormedDate(text);
  if (fast !== undefined) return fast;
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  if (ZERO_DATE.test(trimmed)) {
    if (!options.zeroMeansUnset) warnings.add('ZERO_DATE', site.section, site.column);
    return undefined;
  }
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2}))?/.exec(trimmed);
  if (match === null || !isCalendarDate(Number(match[1]), Number(match[2]), Number(match[3]))) {
    warnings.add('INVALID_DATE', site.section, site.column);
    return undefined;
  }
  const date = `${match[1]}-${match[2]}-${match[3]}`;
  if (match[4] === undefined || (match[4] === '00' && match[5] === '00' && match[6] === '00')) return date;
  return `${date}T${match[4]}:${match[5]}:${match[6]}`;
}

const DATE_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9];
const TIME_DIGITS = [11, 12, 14, 15, 17, 18];
const DIGIT = (text: string, index: number) => {
  const code = text.charCodeAt(index);
  return code >= 48 && code <= 57;
};

/**
 * The common case of {@link dateOf} without regular expressions: exactly `YYYY-MM-DD` or `YYYY-MM-DD HH:MM:SS` with a
 * year from 1800 and a real calendar day; anything else (zero dates, spaces, other shapes) takes the full path.
 */
function wellFormedDate(text: string): string | undefined {
  if (text.length !== 10 && text.length !== 19) return undefined;
  for (const index of DATE_DIGITS) if (!DIGIT(text, index)) return undefined;
  if (text[4] !== '-' || text[7] !== '-') return undefined;
  const year = Number(text.slice(0, 4));
  if (!isCalendarDate(year, Number(text.slice(5, 7)), Number(text.slice(8, 10)))) return undefined;
  if (text.length === 10) return text;
  if (text[10] !== ' ' || text[13] !== ':' || text[16] !== ':') return undefined;
  for (const index of TIME_DIGITS) if (!DIGIT(text, index)) return undefined;
  return text.endsWith(' 00:00:00') ? text.slice(0, 10) : `${text.slice(0, 10)}T${text.slice(11)}`;
}

/** True for a real calendar date from year 1800 on. */
export function isCalendarDate(year: number, month: number, day: number): boolean {
  if (year < 1800 || month < 1 || month > 12 || day < 1) return false;
  if (day <= 28) return true;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31);
}

/** A flag column ('1', 1, 'Y' → true). Works for char(1) and tinyint(1) alike. */
export function flagOf(row: SqlRow, column: string): boolean {
  const value = row[column];
  if (value === null || value === undefined) return false;
  return ['1', 'Y', 'y', 'T', 't', 'true'].includes(String(value).trim());
}

/** A numeric column, or undefined when empty or not a finite number. */
export function numberOf(row: SqlRow, column: string): number | undefined {
  const value = row[column];
  if (value === null || value === undefined || String(value).trim() === '') return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}

/** A plain identifier column (no repair), trimmed; empty → undefined. */
export function idOf(row: SqlRow, column: string): string | undefined {
  const value = row[column];
  if (value === null || value === undefined) return undefined;
  const text = String(value).trim();
  return text === '' ? undefined : text;
}

/** A plain number as OSCAR stores values ("7.1", "-2", ".5"); "<0.5", "1+", "Negative" are not. */
const PLAIN_NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

/** The number a text holds when it is a plain number, else undefined. */
export function plainNumber(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  return PLAIN_NUMBER.test(trimmed) ? Number(trimmed) : undefined;
}

/**
 * An EMR word used as a local code: trimmed, runs of whitespace as `_` (a CDA code is a token without
 * whitespace: "HepC screen" → "HepC_screen"), at most 64 characters; the word itself goes in the display name.
 */
export function localCode(text: string): string {
  return text.trim().replace(/\s+/g, '_').slice(0, 64);
}
