/**
 * The health number as stored: a keyed HMAC-SHA256 with the clinic secret, so records can be
 * linked without the number itself being kept. Spaces and dashes are removed first, so
 * `9876 543 210` and `9876543210` give the same value.
 */
import { createHmac } from 'node:crypto';

/** Normalises a health number for hashing: no whitespace or dashes, upper case. */
export function normaliseHealthNumber(value: string): string {
  return value.replace(/[\s-]/g, '').toUpperCase();
}

/** HMAC-SHA256 (hex) of the health number with the clinic secret. */
export function healthNumberHmac(secret: string, healthNumber: string): string {
  return createHmac('sha256', secret).update(normaliseHealthNumber(healthNumber)).digest('hex');
}
