/** Small string builders for the writer: attributes, coded elements, timestamps, quantities. */
import type { Coded } from '../record';
import { escapeAttr, escapeXml, isoToHl7 } from '../xml-text';

export { decimal } from '../xml-text';

/** ` name="value"` with the value escaped, or nothing when the value is absent. */
export function attr(name: string, value: string | undefined): string {
  return value === undefined ? '' : ` ${name}="${escapeAttr(value)}"`;
}

/** An element with escaped text content, or nothing when the text is absent. */
export function textElement(name: string, text: string | undefined, attrs = ''): string {
  return text === undefined ? '' : `<${name}${attrs}>${escapeXml(text)}</${name}>`;
}

/** A coded element (`code`, `value xsi:type="CD"`, `routeCode` …), or `nullFlavor` when absent. */
export function codedElement(name: string, coded: Coded | undefined, extraAttrs = ''): string {
  if (coded === undefined) return `<${name}${extraAttrs} nullFlavor="NI"/>`;
  const systemName = coded.codeSystemName;
  return `<${name}${extraAttrs}${attr('code', coded.code)}${attr('codeSystem', coded.codeSystem)}${attr('codeSystemName', systemName)}${attr('displayName', coded.displayName)}/>`;
}

/** An HL7 TS attribute value for an ISO date of the record (undefined when absent or invalid). */
export function ts(iso: string | undefined): string | undefined {
  return iso === undefined ? undefined : isoToHl7(iso);
}

/** `<name value="TS"/>`, or `nullFlavor` when the date is absent or invalid. */
export function tsElement(name: string, iso: string | undefined): string {
  const value = ts(iso);
  return value === undefined ? `<${name} nullFlavor="NI"/>` : `<${name} value="${value}"/>`;
}

/** `<effectiveTime xsi:type="IVL_TS">` with low/high, or nothing when both are absent. */
export function interval(low: string | undefined, high: string | undefined): string {
  const lowTs = ts(low);
  const highTs = ts(high);
  if (lowTs === undefined && highTs === undefined) return '';
  return `<effectiveTime xsi:type="IVL_TS">${lowTs === undefined ? '' : `<low value="${lowTs}"/>`}${highTs === undefined ? '' : `<high value="${highTs}"/>`}</effectiveTime>`;
}

/** An `id` under the given root with the extension, or nothing when absent. */
export function idElement(root: string, extension: string | undefined): string {
  return extension === undefined ? '' : `<id root="${root}"${attr('extension', extension)}/>`;
}
