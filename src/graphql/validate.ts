import { BadUserInputError } from '../errors.js';

/**
 * Input checks shared by every module. Each failure is BAD_USER_INPUT naming the field and the
 * rule, and happens before anything is written.
 */
export function requiredText(value: string, field: string, max: number): string {
  const trimmed = value.trim();
  if (trimmed.length === 0 || trimmed.length > max) {
    throw new BadUserInputError(`${field} must be 1 to ${max} characters.`, { field });
  }
  return trimmed;
}

export function optionalText(value: string | null | undefined, field: string, max: number): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (value.length > max) throw new BadUserInputError(`${field} must be at most ${max} characters.`, { field });
  return value;
}

export function boundedInt(value: number, field: string, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new BadUserInputError(`${field} must be a whole number from ${min} to ${max}.`, { field });
  }
  return value;
}

export function jsonObject(value: Record<string, unknown>, field: string, maxBytes: number): string {
  const text = JSON.stringify(value);
  if (Buffer.byteLength(text, 'utf8') > maxBytes) {
    throw new BadUserInputError(`${field} must be at most ${maxBytes} bytes of JSON.`, { field });
  }
  return text;
}

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}\.[^\s@]{1,63}$/;

export function email(value: string, field: string): string {
  const trimmed = value.trim();
  if (!EMAIL.test(trimmed) || trimmed.length > 320) throw new BadUserInputError(`${field} must be an email address.`, { field });
  return trimmed;
}
