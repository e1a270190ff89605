/**
 * The `operation` label of the request histogram. A client chooses its operation names freely, so
 * the label is bounded here: a name Prometheus could be flooded with (too long, odd characters, or
 * past the first `limit` distinct names) is counted as `other`. The sentinel values are reserved
 * so that a client naming an operation `anonymous` cannot pass for unnamed operations.
 */
export const ANONYMOUS_OPERATION = 'anonymous';
export const OTHER_OPERATION = 'other';
export const UNKNOWN_OPERATION = 'unknown';

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const RESERVED = new Set([ANONYMOUS_OPERATION, OTHER_OPERATION, UNKNOWN_OPERATION]);

export class OperationLabels {
  private readonly admitted = new Set<string>();

  constructor(private readonly limit: number) {}

  /** `null`: the request had no operation to name (it did not parse, or named none of its operations). */
  label(resolved: { name: string | undefined } | null): string {
    if (!resolved) return UNKNOWN_OPERATION;
    const { name } = resolved;
    if (name === undefined) return ANONYMOUS_OPERATION;
    if (this.admitted.has(name)) return name;
    if (!NAME.test(name) || RESERVED.has(name) || this.admitted.size >= this.limit) return OTHER_OPERATION;
    this.admitted.add(name);
    return name;
  }
}
