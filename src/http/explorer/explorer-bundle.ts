import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { EXPLORER_SCRIPT, EXPLORER_STYLES } from './explorer-client.js';
import { renderExplorerPage } from './explorer-page.js';
import { createStaticAsset, type StaticAsset } from './static-asset.js';

/** Where the hashed assets live; the page refers to them by root-relative URL so it works at /explorer and /graphql alike. */
export const ASSET_PREFIX = '/explorer/assets/';

/** The page and every file it loads, each under a URL that names its content hash. */
export interface ExplorerBundle {
  page: StaticAsset;
  /** Keyed by the path after ASSET_PREFIX, e.g. `graphiql.3f2a….js`. */
  assets: ReadonlyMap<string, StaticAsset>;
}

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

interface SourceFile {
  name: string;
  extension: 'js' | 'css';
  read: () => Promise<Buffer>;
}

const require = createRequire(import.meta.url);

/** A file inside an installed package, found through its package.json (none of these paths is in the packages' `exports`). */
function packageFile(pkg: string, file: string): () => Promise<Buffer> {
  return async () => {
    const body = await fs.readFile(path.join(path.dirname(require.resolve(`${pkg}/package.json`)), file));
    // The source maps are not served: drop the comment so opening devtools fetches nothing missing.
    return Buffer.from(body.toString('utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n'));
  };
}

// graphiql 4 is the last major with a UMD build, and React 18 the last with UMD files: both are
// pinned to those majors in package.json. Order matters: GraphiQL's UMD reads the React globals.
const SCRIPTS: SourceFile[] = [
  { name: 'react', extension: 'js', read: packageFile('react', 'umd/react.production.min.js') },
  { name: 'react-dom', extension: 'js', read: packageFile('react-dom', 'umd/react-dom.production.min.js') },
  { name: 'graphiql', extension: 'js', read: packageFile('graphiql', 'graphiql.min.js') },
  { name: 'explorer', extension: 'js', read: async () => Buffer.from(EXPLORER_SCRIPT) },
];
const STYLES: SourceFile[] = [
  { name: 'graphiql', extension: 'css', read: packageFile('graphiql', 'graphiql.min.css') },
  { name: 'explorer', extension: 'css', read: async () => Buffer.from(EXPLORER_STYLES) },
];

async function load(file: SourceFile): Promise<{ fileName: string; asset: StaticAsset }> {
  const asset = await createStaticAsset(file.extension === 'js' ? JS : CSS, await file.read());
  return { fileName: `${file.name}.${asset.hash}.${file.extension}`, asset };
}

async function build(): Promise<ExplorerBundle> {
  const scripts = await Promise.all(SCRIPTS.map(load));
  const styles = await Promise.all(STYLES.map(load));
  const html = renderExplorerPage({
    scripts: scripts.map((s) => ASSET_PREFIX + s.fileName),
    styles: styles.map((s) => ASSET_PREFIX + s.fileName),
  });
  return {
    page: await createStaticAsset('text/html; charset=utf-8', Buffer.from(html)),
    assets: new Map([...scripts, ...styles].map((s) => [s.fileName, s.asset])),
  };
}

let bundle: Promise<ExplorerBundle> | undefined;

/** Reads and compresses the files on first use, once per process; a failed read is retried on the next request. */
export function explorerBundle(): Promise<ExplorerBundle> {
  bundle ??= build().catch((error: unknown) => {
    bundle = undefined;
    throw error;
  });
  return bundle;
}
