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

/**
 * Runs the operation and asserts `field` is outside the caller's schema (src/authz/visible-schema):
 * validation fails exactly as for a field that does not exist (400, GRAPHQL_VALIDATION_FAILED,
 * "Cannot query field …"), and nothing ran.
 */
export async function expectHidden(
  gw: TestGateway,
  token: string | undefined,
  query: string,
  variables: Record<string, unknown>,
  field: string,
): Promise<GqlResponse<Record<string, unknown>>> {
  const response = await gw.gql(token, query, variables);
  expect(response.status, `expected ${field} to be hidden, got ${response.raw}`).toBe(400);
  expect(response.data).toBeNull();
  expect(response.errors.map((e) => e.extensions?.code)).toContain('GRAPHQL_VALIDATION_FAILED');
  expect(response.errors.map((e) => e.message).join('\n')).toContain(`Cannot query field "${field}"`);
  return response;
}
