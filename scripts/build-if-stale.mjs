// `npm start`'s build step: runs `npm run build` only when something the build reads changed since
// the last successful build, so that starting a current checkout takes milliseconds, not the
// 10–25 s of a full `tsc`. tsc's own `--incremental` still takes about 5 s to find nothing to do.
//
// The stamp records when the last successful build STARTED: a file saved during a build is newer
// than the stamp, so the next start builds again. A failed build leaves the stamp as it was, so
// the server never starts from the output of a build with type errors. A plain `npm run build`
// writes no stamp; the next `npm start` builds once more.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stamp = path.join(root, 'dist', '.build-stamp');
// What tsconfig.build.json compiles, and the files that change how.
const inputs = ['src', 'migrations', 'scripts/bundle.mjs', 'tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json'];

/** The newest input strictly newer than `since` (ms), or undefined when there is none. */
function newerThan(since) {
  const pending = inputs.map((input) => path.join(root, input));
  while (pending.length > 0) {
    const file = pending.pop();
    let stat;
    try {
      stat = fs.statSync(file);
    } catch {
      continue;
    }
    // A directory's own time counts too: it changes when a file is added, renamed or deleted,
    // and a file moved in keeps its old time.
    if (stat.mtimeMs > since) return path.relative(root, file);
    if (stat.isDirectory()) pending.push(...fs.readdirSync(file).map((name) => path.join(file, name)));
  }
  return undefined;
}

const built = fs.existsSync(stamp) && fs.existsSync(path.join(root, 'dist/src/main.js')) ? fs.statSync(stamp).mtimeMs : undefined;
const changed = built === undefined ? 'no complete build in dist/' : newerThan(built);
if (changed === undefined) process.exit(0);

process.stderr.write(`Building (${built === undefined ? changed : `${changed} changed since the last build`})…\n`);
const startedAt = new Date();
// npm sets npm_execpath to its own script when it runs this one; call the same npm back.
const npm = process.env.npm_execpath;
const build = npm
  ? spawnSync(process.execPath, [npm, 'run', 'build', '--silent'], { cwd: root, stdio: 'inherit' })
  : spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
if (build.status !== 0) process.exit(build.status ?? 1);
fs.mkdirSync(path.dirname(stamp), { recursive: true });
fs.writeFileSync(stamp, `${startedAt.toISOString()}\n`);
fs.utimesSync(stamp, startedAt, startedAt);
