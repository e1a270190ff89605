import { ConflictError } from '../errors.js';
import { isUniqueViolation } from './errors.js';

/**
 * Runs a write guarded by a unique index on a name (or an email) and turns its violation into
 * CONFLICT with `message`. The index decides, not a prior SELECT, so two concurrent writes of the
 * same name cannot both succeed; the message is the caller's because only it knows what clashed.
 */
export async function withUniqueName<T>(message: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError(message);
    throw error;
  }
}
