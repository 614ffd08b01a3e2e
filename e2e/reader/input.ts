/**
 * The reader's gate, before any parsing: bytes → text (BOM, UTF-16, declared Latin-1;
 * invalid UTF-8 is refused as NOT_XML), size limit, and one cheap iterative scan that refuses
 * DOCTYPE/ENTITY declarations (as markup: the same words inside CDATA or a comment are text),
 * markup denser than real documents and text nodes longer than the parser can hold cheaply,
 * checks tag balance (truncation), nesting depth and the root element, and finds the elements in
 * a namespace other than HL7 v3's and the E2E-DTC profile's (which the reader then leaves unread).
 */
import { isUtf8 } from 'node:buffer';
import { EndpointError } from '../../core/errors';
import { HL7_V3_NAMESPACE } from '../vocab/oids';

/** Defaults of the reader's limits. */
export const INPUT_DEFAULTS = { maxBytes: 20_000_000, maxDepth: 200 } as const;

/**
 * Markup density limits. Real E2E documents average about 90 bytes per element and 60 per
 * attribute, and no element has more than a dozen attributes; a document much denser than that
 * (millions of empty elements, comments or attributes) only makes the parser allocate, so it is
 * refused as HOSTILE_XML. The budgets scale with the size limit, with a floor for small limits.
 */
export const DENSITY_LIMITS = {
  bytesPerNode: 64,
  bytesPerAttribute: 32,
  minBudget: 10_000,
  attributesPerElement: 64,
} as const;

/**
 * The longest text node (the characters between two pieces of markup). The parser builds a text
 * node one character at a time and holds about 40 bytes per character until the node ends, so one
 * 19 MB text node costs the better part of a gigabyte; real documents' longest text nodes are a
 * few kilobytes (a long encounter note tens of kilobytes). With nodes of at most this size, a
 * document at the size limit that is all text stays near 200 MB while it is read.
 */
export const MAX_TEXT_NODE_CHARS = 256 * 1024;

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
  /**
   * `[start, end)` character ranges of the outermost elements below the root that are in a
   * namespace the reader does not read (or under an undeclared prefix), in document order; empty when none.
   */
  foreignElements: [number, number][];
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

/** The namespace declarations of a start tag (`''` for the default namespace), or undefined when it has none. */
function declarations(xml: string, from: number, to: number): Map<string, string> | undefined {
  const tag = xml.slice(from, to);
  if (!tag.includes('xmlns')) return undefined;
  let found: Map<string, string> | undefined;
  // Every attribute in turn (so text inside another attribute's value is never taken for one).
  for (const [, attribute, , value] of tag.matchAll(/\s([^\s=/>]+)\s*=\s*(["'])(.*?)\2/gs)) {
    if (attribute !== 'xmlns' && !attribute.startsWith('xmlns:')) continue;
    found ??= new Map();
    found.set(attribute === 'xmlns' ? '' : attribute.slice(6), value);
  }
  return found;
}

/** The namespace scopes of the open elements that declare any: resolves an element name's prefix. */
class NamespaceScopes {
  private readonly frames: { depth: number; bindings: Map<string, string> }[] = [];

  /** The namespace of `prefix` (`''`: the default one) for an element whose own declarations are `own`. */
  resolve(prefix: string, own: Map<string, string> | undefined): string | undefined {
    const direct = own?.get(prefix);
    if (direct !== undefined) return direct;
    for (let at = this.frames.length - 1; at >= 0; at--) {
      const bound = this.frames[at].bindings.get(prefix);
      if (bound !== undefined) return bound;
    }
    return undefined;
  }

  open(depth: number, bindings: Map<string, string>): void {
    this.frames.push({ depth, bindings });
  }

  /** The element at `depth` closed: its declarations go out of scope. */
  close(depth: number): void {
    while (this.frames.length > 0 && this.frames[this.frames.length - 1].depth >= depth) this.frames.pop();
  }
}

/** The namespace of the E2E-DTC profile's own elements (`e2e:desc`, `e2e:formCode`, `e2e:ingredient` of a drug). */
export const E2E_DTC_NAMESPACE = 'http://standards.pito.bc.ca/E2E-DTC/cda';

/** The namespaces whose elements the reader reads; elements of any other are left unread. */
export const READ_NAMESPACES: ReadonlySet<string> = new Set([HL7_V3_NAMESPACE, E2E_DTC_NAMESPACE]);

/** True when an element named `name` (prefix and all) is in a namespace the reader does not read. */
function isForeign(name: string, scopes: NamespaceScopes, own: Map<string, string> | undefined): boolean {
  const colon = name.indexOf(':');
  const prefix = colon < 0 ? '' : name.slice(0, colon);
  const namespace = scopes.resolve(prefix, own);
  // No default namespace declared: read as HL7 (as the root may be). An undeclared prefix: not HL7's.
  if (namespace === undefined) return prefix !== '';
  return !READ_NAMESPACES.has(namespace);
}

function skipTo(xml: string, from: number, end: string, what: string): number {
  const at = xml.indexOf(end, from);
  if (at < 0) throw notXml(`unterminated ${what}`);
  return at + end.length;
}

/** `<!DOCTYPE` or `<!ENTITY` (any case) starting at `at`. */
function isDeclaration(xml: string, at: number): boolean {
  const word = xml.slice(at + 2, at + 8).toUpperCase();
  return word === 'DOCTYP' ? xml.slice(at + 8, at + 9).toUpperCase() === 'E' : word === 'ENTITY';
}

/**
 * Refuses DOCTYPE and ENTITY declarations, markup denser than `budget` and text nodes longer
 * than {@link MAX_TEXT_NODE_CHARS}, checks that tags balance, that nesting stays within
 * `maxDepth` and that there is exactly one root element. Returns the root's local name and
 * declared namespace, and where the elements of foreign namespaces are.
 * Iterative: a 10,000-deep document costs one pass and no recursion.
 */
export function scanStructure(
  xml: string,
  maxDepth: number,
  budget: MarkupBudget = markupBudget(INPUT_DEFAULTS.maxBytes),
): RootElement {
  const stack: string[] = [];
  const scopes = new NamespaceScopes();
  const foreignElements: [number, number][] = [];
  /** The depth of the foreign element being skipped, and where it started (0: none). */
  let foreignDepth = 0;
  let foreignStart = 0;
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
    if (textEnd - pos > MAX_TEXT_NODE_CHARS) throw hostile(`a text node longer than ${MAX_TEXT_NODE_CHARS} characters`);
    if (stack.length === 0 && textEnd > pos && xml.slice(pos, textEnd).trim() !== '')
      throw notXml('text outside the root element');
    if (lt < 0) break;
    const next = xml.charCodeAt(lt + 1);
    if (next !== 0x2f && ++nodes > budget.maxNodes)
      throw hostile(`more than ${budget.maxNodes} elements, comments and other markup`);
    if (next === 0x3f) {
      pos = skipTo(xml, lt + 2, '?>', 'processing instruction');
    } else if (next === 0x21) {
      if (xml.startsWith('<!--', lt)) pos = skipTo(xml, lt + 4, '-->', 'comment');
      else if (xml.startsWith('<![CDATA[', lt) && stack.length > 0) pos = skipTo(xml, lt + 9, ']]>', 'CDATA section');
      else if (isDeclaration(xml, lt))
        throw new EndpointError(
          'HOSTILE_XML',
          'The document declares a DOCTYPE or ENTITY, which is not accepted (no entity expansion).',
        );
      else throw notXml('unexpected markup declaration');
    } else if (next === 0x2f) {
      const gt = xml.indexOf('>', lt + 2);
      if (gt < 0) throw notXml('unterminated end tag');
      const name = xml.slice(lt + 2, gt).trim();
      const depth = stack.length;
      const open = stack.pop();
      if (open !== name) throw notXml(open === undefined ? 'end tag without start tag' : 'mismatched end tag');
      if (foreignDepth === depth) {
        foreignElements.push([foreignStart, gt + 1]);
        foreignDepth = 0;
      }
      if (foreignDepth === 0) scopes.close(depth);
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
      const selfClosing = xml.charCodeAt(gt - 1) === 0x2f;
      const depth = stack.length + 1;
      if (stack.length === 0) {
        if (closed || root !== undefined) throw notXml('more than one root element');
        root = name;
      }
      if (foreignDepth === 0) {
        const own = declarations(xml, nameEnd, gt);
        if (depth === 1) {
          const colon = name.indexOf(':');
          rootNamespace = own?.get(colon < 0 ? '' : name.slice(0, colon));
        } else if (isForeign(name, scopes, own)) {
          if (selfClosing) foreignElements.push([lt, gt + 1]);
          else [foreignDepth, foreignStart] = [depth, lt];
        }
        if (own !== undefined && !selfClosing && foreignDepth === 0) scopes.open(depth, own);
      }
      if (!selfClosing) {
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
  return { localName: colon < 0 ? root : root.slice(colon + 1), namespace: rootNamespace, foreignElements };
}
