import { expect } from 'vitest';
import type { GqlResponse, TestGateway } from './harness.js';

/** Runs the operation and asserts it succeeded without any error; returns its data. */
export async function expectAllowed<T = Record<string, unknown>>(
  gw: TestGateway,
  token: string | undefined,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const response = await gw.gql<T>(token, query, variables);
  expect(response.errors, `expected no errors, got ${JSON.stringify(response.errors)}`).toEqual([]);
  expect(response.data).not.toBeNull();
  return response.data as T;
}

/** Runs the operation and asserts it failed with `code` and returned no data for the field. */
export async function expectDenied(
  gw: TestGateway,
  token: string | undefined,
  query: string,
  variables: Record<string, unknown>,
  code: string,
): Promise<GqlResponse<Record<string, unknown>>> {
  const response = await gw.gql(token, query, variables);
  expect(response.errors.length, `expected ${code}, got data ${JSON.stringify(response.data)}`).toBeGreaterThan(0);
  expect(response.errors.map((e) => e.extensions?.code)).toContain(code);
  return response;
}
