/**
 * The reader's gate, before any parsing: bytes → text (BOM, UTF-16, declared Latin-1;
 * invalid UTF-8 is refused as NOT_XML), size limit, DOCTYPE/ENTITY refusal, and one cheap
 * iterative scan that checks tag balance (truncation), nesting depth and the root element.
 */
import { isUtf8 } from 'node:buffer';
import { EndpointError } from '../../core/errors';

/** Defaults of the reader's limits. */
export const INPUT_DEFAULTS = { maxBytes: 20_000_000, maxDepth: 200 } as const;

/**
 * Markup density limits. Real E2E documents average about 90 bytes per element and 60 per
 * attribute, and no element has more than a dozen attributes; a document much denser than that
 * (millions of empty elements, comments or attributes) only makes the parser allocate, so it is
 * refused as HOSTILE_XML. The budgets scale with the size limit, with a floor for small limits.
 */
export const DENSITY_LIMITS = { bytesPerNode: 64, bytesPerAttribute: 32, minBudget: 10_000, attributesPerElement: 64 } as const;

/** The node budget (elements, comments, processing instructions, CDATA) and attribute budget of a size limit. */
export interface MarkupBudget {
  maxNodes: number;
  maxAttributes: number;
}

/** The budget for documents of at most `maxBytes`. */
export function markupBudget(maxBytes: number): MarkupBudget {
  return {
    maxNodes: Math.max(DENSITY_LIMITS.minBudget, Math.ceil(maxBytes / DENSITY_LIMITS.bytesPerNode)),
    maxAttributes: Math.max(DENSITY_LIMITS.minBudget, Math.ceil(maxBytes / DENSITY_LIMITS.bytesPerAttribute)),
  };
}

/** The root element: its local name and the namespace its tag declares for it (undefined: none declared). */
export interface RootElement {
  localName: string;
  namespace?: string;
}

/** UTF-8 is checked first (invalid UTF-8 is refused, not replaced: the XML spec makes it a fatal error). */
function utf8(bytes: Buffer): string {
  if (!isUtf8(bytes))
    throw new EndpointError('NOT_XML', 'The document is not valid UTF-8 text (invalid byte sequence).');
  return bytes.toString('utf8');
}

function utf16(bytes: Buffer, bigEndian: boolean): string {
  if (bytes.length % 2 !== 0)
    throw new EndpointError('NOT_XML', 'The document is not valid UTF-16 text (odd number of bytes).');
  return (bigEndian ? Buffer.from(bytes).swap16() : bytes).toString('utf16le');
}

/** Turns the input into text, refusing what is too large or not decodable. */
export function decodeInput(input: string | Buffer, maxBytes: number): string {
  if (typeof input === 'string') {
    if (input.length > maxBytes || (input.length * 3 > maxBytes && Buffer.byteLength(input, 'utf8') > maxBytes)) {
      throw new EndpointError('BODY_TOO_LARGE', `The document is larger than the limit of ${maxBytes} bytes.`);
    }
    return input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  }
  if (input.length > maxBytes)
    throw new EndpointError('BODY_TOO_LARGE', `The document is larger than the limit of ${maxBytes} bytes.`);
  const b0 = input[0];
  const b1 = input[1];
  if (b0 === 0xef && b1 === 0xbb && input[2] === 0xbf) return utf8(input.subarray(3));
  if (b0 === 0xff && b1 === 0xfe) return utf16(input.subarray(2), false);
  if (b0 === 0xfe && b1 === 0xff) return utf16(input.subarray(2), true);
  if (b0 === 0x3c && b1 === 0x00) return utf16(input, false);
  if (b0 === 0x00 && b1 === 0x3c) return utf16(input, true);
  const declaration = input.subarray(0, 120).toString('latin1');
  if (/^<\?xml[^>]*encoding=["'](iso-8859-1|latin-?1|windows-1252)["']/i.test(declaration))
    return input.toString('latin1');
  return utf8(input);
}

function notXml(reason: string): EndpointError {
  return new EndpointError('NOT_XML', `The document is not well-formed XML: ${reason}.`);
}

function isNameEnd(code: number): boolean {
  // whitespace, '/', '>'
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d || code === 0x2f || code === 0x3e;
}

function hostile(reason: string): EndpointError {
  return new EndpointError('HOSTILE_XML', `The document has ${reason}; refused as hostile.`);
}

/**
 * Finds the '>' that ends a start tag beginning at `from`, skipping quoted attribute values;
 * `attributes.count` is set to the number of attributes ('=' outside quotes) in the tag.
 */
function endOfTag(xml: string, from: number, attributes: { count: number }): number {
  let quote = 0;
  attributes.count = 0;
  for (let i = from; i < xml.length; i++) {
    const c = xml.charCodeAt(i);
    if (quote !== 0) {
      if (c === quote) quote = 0;
    } else if (c === 0x22 || c === 0x27) quote = c;
    else if (c === 0x3d) {
      if (++attributes.count > DENSITY_LIMITS.attributesPerElement)
        throw hostile(`an element with more than ${DENSITY_LIMITS.attributesPerElement} attributes`);
    } else if (c === 0x3e) return i;
    else if (c === 0x3c) return -1;
  }
  return -1;
}

/** The namespace a root start tag declares for its own prefix (or the default one), if any. */
function declaredNamespace(tag: string, name: string): string | undefined {
  const colon = name.indexOf(':');
  const attribute = colon < 0 ? 'xmlns' : `xmlns:${name.slice(0, colon)}`;
  for (const match of tag.matchAll(/\s([^\s=/>]+)\s*=\s*(["'])(.*?)\2/gs)) if (match[1] === attribute) return match[3];
  return undefined;
}

function skipTo(xml: string, from: number, end: string, what: string): number {
  const at = xml.indexOf(end, from);
  if (at < 0) throw notXml(`unterminated ${what}`);
  return at + end.length;
}

/**
 * Refuses DOCTYPE and ENTITY declarations and markup denser than `budget`, checks that tags
 * balance, that nesting stays within `maxDepth` and that there is exactly one root element.
 * Returns the root's local name and declared namespace.
 * Iterative: a 10,000-deep document costs one pass and no recursion.
 */
export function scanStructure(xml: string, maxDepth: number, budget: MarkupBudget = markupBudget(INPUT_DEFAULTS.maxBytes)): RootElement {
  if (/<!(DOCTYPE|ENTITY)/i.test(xml)) {
    throw new EndpointError(
      'HOSTILE_XML',
      'The document declares a DOCTYPE or ENTITY, which is not accepted (no entity expansion).',
    );
  }
  const stack: string[] = [];
  let root: string | undefined;
  let rootNamespace: string | undefined;
  let closed = false;
  let pos = 0;
  let nodes = 0;
  let attributeTotal = 0;
  const attributes = { count: 0 };
  for (;;) {
    const lt = xml.indexOf('<', pos);
    const textEnd = lt < 0 ? xml.length : lt;
    if (stack.length === 0 && textEnd > pos && xml.slice(pos, textEnd).trim() !== '')
      throw notXml('text outside the root element');
    if (lt < 0) break;
    const next = xml.charCodeAt(lt + 1);
    if (next !== 0x2f && ++nodes > budget.maxNodes) throw hostile(`more than ${budget.maxNodes} elements, comments and other markup`);
    if (next === 0x3f) {
      pos = skipTo(xml, lt + 2, '?>', 'processing instruction');
    } else if (next === 0x21) {
      if (xml.startsWith('<!--', lt)) pos = skipTo(xml, lt + 4, '-->', 'comment');
      else if (xml.startsWith('<![CDATA[', lt) && stack.length > 0) pos = skipTo(xml, lt + 9, ']]>', 'CDATA section');
      else throw notXml('unexpected markup declaration');
    } else if (next === 0x2f) {
      const gt = xml.indexOf('>', lt + 2);
      if (gt < 0) throw notXml('unterminated end tag');
      const name = xml.slice(lt + 2, gt).trim();
      const open = stack.pop();
      if (open !== name) throw notXml(open === undefined ? 'end tag without start tag' : 'mismatched end tag');
      if (stack.length === 0) closed = true;
      pos = gt + 1;
    } else {
      let nameEnd = lt + 1;
      while (nameEnd < xml.length && !isNameEnd(xml.charCodeAt(nameEnd))) nameEnd++;
      if (nameEnd === lt + 1) throw notXml("'<' not followed by a name");
      const gt = endOfTag(xml, nameEnd, attributes);
      if (gt < 0) throw notXml('unterminated start tag');
      attributeTotal += attributes.count;
      if (attributeTotal > budget.maxAttributes) throw hostile(`more than ${budget.maxAttributes} attributes`);
      const name = xml.slice(lt + 1, nameEnd);
      if (stack.length === 0) {
        if (closed || root !== undefined) throw notXml('more than one root element');
        root = name;
        rootNamespace = declaredNamespace(xml.slice(nameEnd, gt), name);
      }
      if (xml.charCodeAt(gt - 1) !== 0x2f) {
        stack.push(name);
        if (stack.length > maxDepth)
          throw new EndpointError('XML_TOO_DEEP', `The document nests elements deeper than the limit of ${maxDepth}.`);
      } else if (stack.length === 0) closed = true;
      pos = gt + 1;
    }
  }
  if (root === undefined) throw notXml('no root element');
  if (stack.length > 0) throw notXml('the document ends inside an element (truncated?)');
  const colon = root.indexOf(':');
  return { localName: colon < 0 ? root : root.slice(colon + 1), namespace: rootNamespace };
}
