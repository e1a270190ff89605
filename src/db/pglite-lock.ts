import fs from 'node:fs';
import path from 'node:path';

/**
 * PGlite's data directory may be opened by one process only: two (a running server and the CLI)
 * corrupt it. The lock is a file created exclusively, holding the owner's pid and role; a lock
 * whose process is gone is taken over.
 */
export class DataDirLockedError extends Error {}

export interface DataDirLock {
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function lockDataDir(dataDir: string, holder: string): DataDirLock {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'gatehouse.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx', 0o600);
      fs.writeSync(fd, JSON.stringify({ pid: process.pid, holder, since: new Date().toISOString() }));
      fs.closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        try {
          const current: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
          if (typeof current === 'object' && current !== null && 'pid' in current && current.pid === process.pid) fs.unlinkSync(file);
        } catch {
          // Already gone: nothing to release.
        }
      };
      process.once('exit', release);
      return { release };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let owner: { pid?: unknown; holder?: unknown } = {};
      try {
        owner = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof owner;
      } catch {
        // A lock being written this instant, or garbage: treat as held once, then as stale.
      }
      const pid = typeof owner.pid === 'number' ? owner.pid : undefined;
      if (pid !== undefined && pid !== process.pid && alive(pid)) {
        const who = typeof owner.holder === 'string' ? owner.holder : 'another Gatehouse process';
        throw new DataDirLockedError(
          `The embedded database in ${dataDir} is in use by ${who} (pid ${pid}); PGlite allows one process at a time. ` +
            'Stop that process first and run this command again, or point both at PostgreSQL with DATABASE_URL.',
        );
      }
      fs.rmSync(file, { force: true });
    }
  }
  throw new DataDirLockedError(`Could not lock ${file}; remove it if no Gatehouse process is running.`);
}
