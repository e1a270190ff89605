import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/usage.js';
import { ROOT_DIR } from '../../src/paths.js';
import { runGatehouse } from '../support/cli.js';

// `--help` and `--version` of the built bin. They must work before anything is set up, so the
// environment points at a database that does not exist: help that opened it would fail.
const env = {
  ...process.env,
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
  GATEHOUSE_SECRET_KEY: Buffer.alloc(32, 1).toString('base64'),
  DATA_DIR: '/nonexistent',
};
const gatehouse = (...args: string[]) => runGatehouse(args, env);

const version = (JSON.parse(fs.readFileSync(path.join(ROOT_DIR, 'package.json'), 'utf8')) as { version: string }).version;

describe('gatehouse <command> --help', () => {
  it.each(COMMANDS.map((spec) => [spec.command, spec.synopsis.split('\n')[0] ?? '']))(
    '%s --help prints its usage to stdout and exits 0',
    (command, synopsis) => {
      for (const args of [
        [...command.split(' '), '--help'],
        [...command.split(' '), '-h'],
        ['help', ...command.split(' ')],
      ]) {
        const result = gatehouse(...args);
        expect(result.status, `${args.join(' ')}: ${result.stderr}`).toBe(0);
        expect(result.stderr).toBe('');
        expect(result.stdout.split('\n')[0]).toBe(`Usage: gatehouse ${synopsis}`);
        // Its own usage, not the whole list.
        expect(result.stdout).not.toContain('gatehouse --version');
      }
    },
  );

  it('--help with an operand or option of the command still prints its usage', () => {
    const result = gatehouse('flag', 'enable', 'k8s_namespace_isolation', '--org', '3', '--help');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Usage: gatehouse flag enable NAME/);
  });

  it('--help alone, and no command, list every command', () => {
    for (const result of [gatehouse('--help'), gatehouse()]) {
      expect(result.status).toBe(0);
      for (const spec of COMMANDS) expect(result.stdout).toContain(`  ${spec.synopsis.split('\n')[0] ?? ''}`);
    }
  });

  it('an unknown command, or an unknown option, exits 2 and says where the usage is', () => {
    const unknown = gatehouse('frobnicate', '--help');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('Unknown command "frobnicate"');
    const option = gatehouse('migrate', '--frobnicate');
    expect(option.status).toBe(2);
    expect(option.stderr).toContain("Unknown option '--frobnicate'");
    expect(option.stderr).toContain('gatehouse <command> --help');
  });
});

describe('gatehouse --version', () => {
  it('prints the package version', () => {
    const result = gatehouse('--version');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`${version}\n`);
  });
});
