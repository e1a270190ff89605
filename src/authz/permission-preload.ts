import type { Executor } from '../db/database.js';
import type { Grants } from './authz.js';
import { grantsOf } from './authorize-request.js';
import type { Principal } from './principal.js';

/**
 * The grants of a principal already authenticated, for what decides outside a request (webhook
 * registrants) and for tests: the request's own statement (src/authz/authorize-request.ts)
 * reads them with the credential.
 */
export async function preloadGrants(db: Executor, principal: Principal): Promise<Grants> {
  return (await grantsOf(db, principal)).grants;
}
