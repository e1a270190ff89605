// The built gateway (dist/) in a child process, for the benchmarks that measure its memory from
// outside: the resident set the kernel reports is what a container limit would meet.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';

/** The resident set of a process now, MiB (Linux only: read from /proc). */
export const rssMiB = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

export interface BuiltServer {
  process: ChildProcessByStdio<null, Readable, null>;
  pid: number;
  port: number;
}

/** Starts `root`'s dist/src/main.js with `env` and waits for the port it reports serving on. */
export async function startBuiltServer(root: string, env: NodeJS.ProcessEnv, nodeArgs: string[] = []): Promise<BuiltServer> {
  const server = spawn(process.execPath, [...nodeArgs, path.join(root, 'dist/src/main.js')], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  // A benchmark that fails and exits must not leave its server running (one did, for an hour, and
  // measured alongside everything after it).
  const stop = () => server.kill('SIGKILL');
  process.once('exit', stop);
  server.once('exit', () => process.off('exit', stop));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    server.once('exit', (code) => reject(new Error(`the server exited with ${String(code)} before it listened`)));
    server.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /serving http:\/\/localhost:(\d+)\//.exec(out);
      if (match?.[1]) resolve(Number(match[1]));
    });
  });
  return { process: server, pid: server.pid ?? 0, port };
}
