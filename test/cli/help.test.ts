import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliError } from '../../src/cli/cli-error.js';
import { dispatch } from '../../src/cli/dispatch.js';
import { COMMANDS } from '../../src/cli/usage.js';
import { ROOT_DIR } from '../../src/paths.js';
import { runGatehouse } from '../support/cli.js';

// `--help` and `--version`. They must work before anything is set up, so the built bin's
// environment points at a database that does not exist: help that opened it would fail. The
// usage of every command, under each of its three spellings, is read from the bin's own dispatch
// in this process (60 answers); the bin itself is run for one of each kind of answer.
const env = {
  ...process.env,
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
  GATEHOUSE_SECRET_KEY: Buffer.alloc(32, 1).toString('base64'),
  DATA_DIR: '/nonexistent',
};
const gatehouse = (...args: string[]) => runGatehouse(args, env);

/** What `gatehouse …args` writes to stdout, from the bin's dispatch; its result must be undefined (nothing ran). */
async function stdoutOf(...args: string[]): Promise<string> {
  let written = '';
  const result = await dispatch(args, { write: (text: string) => (written += text) });
  expect(result).toBeUndefined();
  return written;
}

const version = (JSON.parse(fs.readFileSync(path.join(ROOT_DIR, 'package.json'), 'utf8')) as { version: string }).version;
const synopsis = (spec: (typeof COMMANDS)[number]) => spec.synopsis.split('\n')[0] ?? '';

describe('gatehouse <command> --help', () => {
  it.each(COMMANDS.map((spec) => [spec.command, synopsis(spec)]))('%s --help, -h and `help %s` print its usage alone', async (command, usage) => {
    for (const args of [
      [...command.split(' '), '--help'],
      [...command.split(' '), '-h'],
      ['help', ...command.split(' ')],
    ]) {
      const out = await stdoutOf(...args);
      expect(out.split('\n')[0], args.join(' ')).toBe(`Usage: gatehouse ${usage}`);
      // Its own usage, not the whole list.
      expect(out).not.toContain('gatehouse --version');
    }
  });

  it('the bin prints a command usage to stdout, nothing on stderr, and exits 0 without a database', () => {
    const [spec] = COMMANDS;
    if (!spec) throw new Error('no commands');
    const result = gatehouse(...spec.command.split(' '), '--help');
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout.split('\n')[0]).toBe(`Usage: gatehouse ${synopsis(spec)}`);
  });

  it('--help with an operand or option of the command still prints its usage', async () => {
    expect(await stdoutOf('flag', 'enable', 'k8s_namespace_isolation', '--org', '3', '--help')).toMatch(/^Usage: gatehouse flag enable NAME/);
  });

  it('--help alone, and no command, list every command (the bin, then its dispatch)', async () => {
    const bin = gatehouse('--help');
    expect(bin.status).toBe(0);
    for (const out of [bin.stdout, await stdoutOf()]) {
      for (const spec of COMMANDS) expect(out).toContain(`  ${synopsis(spec)}`);
    }
  });

  it('an unknown command, or an unknown option, exits 2 and says where the usage is', async () => {
    const unknown = gatehouse('frobnicate', '--help');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('Unknown command "frobnicate"');
    const option = dispatch(['migrate', '--frobnicate'], { write: () => undefined });
    await expect(option).rejects.toBeInstanceOf(CliError);
    await expect(option).rejects.toThrow("Unknown option '--frobnicate'");
    await expect(option).rejects.toThrow('gatehouse <command> --help');
  });
});

describe('gatehouse --version', () => {
  it('prints the package version', async () => {
    const result = gatehouse('--version');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`${version}\n`);
    expect(await stdoutOf('--version')).toBe(`${version}\n`);
  });
});
