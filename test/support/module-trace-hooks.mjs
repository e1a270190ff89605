// The loader hooks of module-trace.mjs; they run on Node's hooks thread.
import fs from 'node:fs';

let file = '';

export function initialize(data) {
  file = data.file;
}

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  fs.appendFileSync(file, `${resolved.url}\n`);
  return resolved;
}
