/**
 * Text rules shared by reader and writer: XML escaping, removal of characters illegal in
 * XML 1.0, numbers as decimal text, and HL7 TS timestamps ↔ the record's ISO text (keeping
 * precision and zone).
 */

// XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
const ILLEGAL_XML_CHARS =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const NEEDS_WORK = /[&<>"\r\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;
const ATTR_NEEDS_WORK = /[&<>"\t\n\r\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;

/** Removes the characters XML 1.0 cannot carry (C0 controls other than tab/LF/CR, lone surrogates, U+FFFE/U+FFFF). */
export function removeIllegalXmlChars(text: string): string {
  return text.replace(ILLEGAL_XML_CHARS, '');
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

/**
 * Escapes text for element content, after removing illegal characters. A carriage return is
 * written as `&#13;` so that XML line-end normalisation keeps it.
 */
export function escapeXml(text: string): string {
  if (!NEEDS_WORK.test(text)) return text;
  return removeIllegalXmlChars(text).replace(/[&<>"\r]/g, (c) => ESCAPES[c]);
}

/** Escapes text for a double-quoted attribute value (tab and line ends as character references). */
export function escapeAttr(text: string): string {
  if (!ATTR_NEEDS_WORK.test(text)) return text;
  return removeIllegalXmlChars(text).replace(/[&<>"\t\n\r]/g, (c) => ESCAPES[c]);
}

/** A number as XML Schema decimal text (no exponent). */
export function decimal(value: number): string {
  const text = String(value);
  if (!/[eE]/.test(text)) return text;
  return value.toFixed(20).replace(/\.?0+$/, '');
}

const REFERENCE = /&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeReferences(raw: string): string {
  return raw.replace(REFERENCE, (whole, ref: string) => {
    if (ref[0] !== '#') return NAMED[ref];
    const point = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    return point <= 0x10ffff ? String.fromCodePoint(point) : whole;
  });
}

/** Raw element text as the parser left it → the text it means (line ends normalised, references decoded). */
export function decodeText(raw: string): string {
  const text = raw.includes('\r') ? raw.replace(/\r\n?/g, '\n') : raw;
  return text.includes('&') ? decodeReferences(text) : text;
}

/** Raw attribute value → the value it means (whitespace normalised as XML does, references decoded). */
export function decodeAttr(raw: string): string {
  const text = /[\t\n\r]/.test(raw) ? raw.replace(/\r\n|[\t\n\r]/g, ' ') : raw;
  return text.includes('&') ? decodeReferences(text) : text;
}

const TS = /^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\.\d{1,6})?([+-]\d{4})?$/;
const ISO = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

function validParts(y: string, mo?: string, d?: string, h?: string, mi?: string, s?: string): boolean {
  const year = Number(y);
  if (year < 1) return false;
  if (mo !== undefined && (Number(mo) < 1 || Number(mo) > 12)) return false;
  if (d !== undefined) {
    const days = new Date(Date.UTC(year, Number(mo), 0)).getUTCDate();
    if (Number(d) < 1 || Number(d) > days) return false;
  }
  if (h !== undefined && Number(h) > 23) return false;
  if (mi !== undefined && Number(mi) > 59) return false;
  if (s !== undefined && Number(s) > 60) return false;
  return true;
}

/**
 * HL7 TS (`20140612103000.123-0700`) → ISO text keeping the precision (`2014-06-12T10:30:00.123-07:00`).
 * An hour without minutes becomes `:00` minutes; `+0000` becomes `Z`. Returns undefined when invalid.
 */
export function hl7ToIso(ts: string): string | undefined {
  const m = TS.exec(ts.trim());
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  if (mo === undefined && d !== undefined) return undefined;
  if (!validParts(y, mo, d, h, mi, s)) return undefined;
  if (mo === undefined) return y;
  if (d === undefined) return `${y}-${mo}`;
  if (h === undefined) return `${y}-${mo}-${d}`;
  if (frac !== undefined && s === undefined) return undefined;
  let iso = `${y}-${mo}-${d}T${h}:${mi ?? '00'}`;
  if (s !== undefined) iso += `:${s}${frac ?? ''}`;
  if (zone !== undefined) {
    const hours = Number(zone.slice(1, 3));
    const minutes = Number(zone.slice(3));
    if (hours > 14 || minutes > 59) return undefined;
    iso += zone === '+0000' || zone === '-0000' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  }
  return iso;
}

/** ISO text of the record (any allowed precision) → HL7 TS. Returns undefined when it is not a valid date. */
export function isoToHl7(iso: string): string | undefined {
  const m = ISO.exec(iso);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  if (!validParts(y, mo, d, h, mi, s)) return undefined;
  let ts = y + (mo ?? '') + (d ?? '') + (h ?? '') + (mi ?? '') + (s ?? '') + (frac ?? '');
  if (zone !== undefined) ts += zone === 'Z' ? '+0000' : zone.slice(0, 3) + zone.slice(4);
  return ts;
}

/** True when `iso` is a date the record model allows. */
export function isValidIsoDate(iso: string): boolean {
  return isoToHl7(iso) !== undefined;
}
