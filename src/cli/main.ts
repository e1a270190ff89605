#!/usr/bin/env node
import { CliError } from './cli-error.js';
import { dispatch } from './dispatch.js';

/** The `gatehouse` bin: a command's result as one line of JSON on stdout; a usage error exits 2. */
dispatch(process.argv.slice(2), process.stdout)
  .then((result) => {
    if (result !== undefined) process.stdout.write(`${JSON.stringify(result)}\n`);
  })
  .catch((error: unknown) => {
    process.stderr.write(`gatehouse: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(error instanceof CliError ? 2 : 1);
  });
