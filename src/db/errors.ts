/** PostgreSQL's unique_violation, from pg or PGlite alike. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === '23505';
}

/** PostgreSQL's foreign_key_violation. */
export function isForeignKeyViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === '23503';
}

/**
 * The SQLSTATEs after which running the whole transaction again can succeed: serialization_failure
 * (40001) and deadlock_detected (40P01). PostgreSQL rolled the transaction back; nothing it did
 * stays. Looks through `cause` and `originalError`, so a wrapped driver error is found too.
 */
export type RetryableTransactionCode = '40001' | '40P01';

export function retryableTransactionCode(error: unknown): RetryableTransactionCode | undefined {
  for (let current = error, depth = 0; typeof current === 'object' && current !== null && depth < 5; depth++) {
    if ('code' in current && (current.code === '40001' || current.code === '40P01')) return current.code;
    current = 'originalError' in current && current.originalError ? current.originalError : 'cause' in current ? current.cause : undefined;
  }
  return undefined;
}

/** Whether `error` is a serialization failure or a deadlock, which a retry of the transaction may get through. */
export function isRetryableTransactionError(error: unknown): boolean {
  return retryableTransactionCode(error) !== undefined;
}
