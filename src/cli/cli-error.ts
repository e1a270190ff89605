/** A mistake in how a command was called or what it was given: exit code 2 and the message, no stack. */
export class CliError extends Error {}
