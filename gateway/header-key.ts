/**
 * A cheap guess of a document's demographic number (the ClinicalDocument's `id/@extension`)
 * from its first bytes, without parsing: it only picks which stored patient to compare the
 * content hash with. A wrong guess costs a parse, never a wrong answer, because "unchanged"
 * also needs the stored hash to equal the hash of these exact bytes. (The key it is looked up
 * under spells the number as the store does: `patientKey`.)
 */

/** How far into the document the header id is looked for. */
const HEADER_SCAN_BYTES = 16 * 1024;

/** The first `<id …>` element after the root (CDA puts the document id before recordTarget). */
const FIRST_ID_ELEMENT = /<(?:[A-Za-z_][\w.-]*:)?id\s[^>]*>/;
const EXTENSION_ATTRIBUTE = /\sextension\s*=\s*(["'])([^"'<>]{1,64})\1/;

/** The demographic number the header seems to carry, or undefined. */
export function guessDemographicNo(bytes: Buffer): string | undefined {
  const head = bytes.subarray(0, HEADER_SCAN_BYTES).toString('latin1');
  const root = head.search(/<(?:[A-Za-z_][\w.-]*:)?ClinicalDocument[\s>]/);
  if (root < 0) return undefined;
  const element = FIRST_ID_ELEMENT.exec(head.slice(root));
  return element ? EXTENSION_ATTRIBUTE.exec(element[0])?.[2]?.trim() || undefined : undefined;
}
