/**
 * Reads an ingest body: raw XML (`application/xml`, `text/xml`) or the legacy multipart form
 * field `content` that OSCAR's own exporter sends. The size limit is enforced while the body
 * streams in (and up front from Content-Length), so an oversized upload is never held whole.
 * A compressed body (any Content-Encoding but identity) is refused, never inflated.
 */
import type { Request } from 'express';
import busboy from 'busboy';
import { EndpointError } from '../../core/errors';

/** Content types accepted as a raw E2E document. */
export const XML_CONTENT_TYPES = new Set(['application/xml', 'text/xml']);
/** The legacy form's content type. */
export const MULTIPART_CONTENT_TYPE = 'multipart/form-data';
/** The legacy form's field holding the document. */
export const MULTIPART_FIELD = 'content';
/** Room for the multipart boundaries and headers around the document. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

function tooLarge(maxBytes: number): EndpointError {
  return new EndpointError('BODY_TOO_LARGE', `The document is larger than the limit of ${maxBytes} bytes.`);
}

/** The media type of a request, lower case, without parameters. */
export function mediaTypeOf(req: Request): string {
  return (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

/** Reads the document bytes of an ingest request, or throws a coded 4xx error. */
export async function readDocumentBody(req: Request, maxBytes: number): Promise<Buffer> {
  const type = mediaTypeOf(req);
  const declared = Number(req.headers['content-length']);
  const isMultipart = type === MULTIPART_CONTENT_TYPE;
  if (!XML_CONTENT_TYPES.has(type) && !isMultipart) {
    throw new EndpointError(
      'UNSUPPORTED_MEDIA_TYPE',
      `Content-Type ${type === '' ? '(none)' : type} is not accepted; send application/xml, text/xml or a multipart form with the field '${MULTIPART_FIELD}'.`,
    );
  }
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && encoding !== '') {
    // Never inflated: a compressed body would be read as XML bytes, and a small one can inflate to gigabytes.
    throw new EndpointError('UNSUPPORTED_MEDIA_TYPE', `Content-Encoding ${encoding.slice(0, 40)} is not accepted; send the document uncompressed.`);
  }
  if (Number.isFinite(declared) && declared > maxBytes + (isMultipart ? MULTIPART_OVERHEAD_BYTES : 0)) throw tooLarge(maxBytes);
  return isMultipart ? readMultipartField(req, maxBytes) : readRaw(req, maxBytes);
}

function readRaw(req: Request, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const onData = (chunk: Buffer): void => {
      total += chunk.length;
      if (total > maxBytes) {
        req.off('data', onData);
        chunks.length = 0;
        reject(tooLarge(maxBytes));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks, total)));
    req.once('error', (error) => reject(new EndpointError('INVALID_REQUEST', 'The request body could not be read.', { cause: error })));
    req.once('close', () => {
      if (!req.complete) reject(new EndpointError('INVALID_REQUEST', 'The client closed the connection before the body was complete.'));
    });
  });
}

function readMultipartField(req: Request, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let form: busboy.Busboy;
    try {
      // latin1 maps every byte to one character, so the field's bytes come back exactly as sent.
      form = busboy({ headers: req.headers, defCharset: 'latin1', limits: { fieldSize: maxBytes, fileSize: maxBytes, files: 1, fields: 20 } });
    } catch (error) {
      reject(new EndpointError('INVALID_REQUEST', 'The multipart form has no valid boundary.', { cause: error }));
      return;
    }
    let content: Buffer | undefined;
    let failed = false;
    const fail = (error: EndpointError): void => {
      failed = true;
      req.unpipe(form);
      reject(error);
    };
    form.on('field', (name, value, info) => {
      if (name !== MULTIPART_FIELD) return;
      if (info.valueTruncated) return fail(tooLarge(maxBytes));
      content = Buffer.from(value, 'latin1');
    });
    form.on('file', (name, stream) => {
      if (name !== MULTIPART_FIELD) return void stream.resume();
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => fail(tooLarge(maxBytes)));
      stream.on('end', () => {
        if (!failed) content = Buffer.concat(chunks);
      });
    });
    req.once('close', () => {
      if (!req.complete && !failed) fail(new EndpointError('INVALID_REQUEST', 'The client closed the connection before the body was complete.'));
    });
    form.on('error', (error) => fail(new EndpointError('INVALID_REQUEST', 'The multipart form could not be read.', { cause: error })));
    form.on('close', () => {
      if (failed) return;
      if (content === undefined) reject(new EndpointError('INVALID_REQUEST', `The multipart form has no field '${MULTIPART_FIELD}' holding the E2E document.`));
      else resolve(content);
    });
    req.pipe(form);
  });
}
