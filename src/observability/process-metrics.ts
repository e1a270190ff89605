import { collectDefaultMetrics, Registry } from 'prom-client';

let shared: Registry | undefined;

/**
 * prom-client's default metrics (CPU, memory, event-loop lag, GC, handles), in one registry per
 * process. collectDefaultMetrics starts an event-loop delay monitor and a GC observer that are
 * never stopped, so calling it for every gateway would leak both with each instance (the test
 * suites start many gateways in one process). These metrics describe the process, not a gateway,
 * so every gateway of the process serves the same ones. Neither keeps the process alive.
 */
export function processRegistry(): Registry {
  if (!shared) {
    shared = new Registry();
    collectDefaultMetrics({ register: shared });
  }
  return shared;
}
