import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * JSON logs on stdout. Paths that could carry a secret are redacted here as a second line of
 * defence; the first is that no code logs a token, key or secret value in the first place.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'gatehouse' },
    redact: {
      paths: ['*.authorization', '*.token', '*.apiKey', '*.value', '*.secret', 'req.headers.authorization'],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
