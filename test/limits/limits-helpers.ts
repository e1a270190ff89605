import { expect } from 'vitest';
import type { GqlResponse } from '../support/harness.js';

/** The limit let the operation through: no refusal, whatever the resolvers then answered. */
export function expectWithinLimits(response: GqlResponse<unknown>): void {
  expect(response.status, response.raw).toBe(200);
  expect(response.errors.map((e) => e.extensions?.code)).toEqual([]);
}

/** Refused with `status`, `code` and `extensions.limit` naming the limit and its maximum. */
export function expectRefused(response: GqlResponse<unknown>, status: number, code: string, limit: { name: string; max: number; actual?: number }): void {
  expect(response.status, response.raw).toBe(status);
  expect(response.errors).toHaveLength(1);
  expect(response.errors[0]?.extensions?.code).toBe(code);
  expect(response.errors[0]?.extensions?.limit).toMatchObject(limit);
  expect(response.errors[0]?.message).toContain(String(limit.max));
  expect(response.data).toBeNull();
}

/** `{ <selection> <selection> … }` with the selection `count` times. */
export const repeated = (selection: string, count: number): string => `{ ${Array.from({ length: count }, () => selection).join(' ')} }`;

export const aliased = (count: number): string => `{ ${Array.from({ length: count }, (_, i) => `a${i}: __typename`).join(' ')} }`;
