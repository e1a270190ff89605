import fs from 'node:fs';
import path from 'node:path';
import { printPublicSchema } from '../src/graphql/public-schema.js';
import { loadTypeDefs } from '../src/graphql/schema.js';
import { ROOT_DIR } from '../src/paths.js';

// `npm run schema:snapshot`, at a release: the schema clients of that release see, which
// test/schema/schema-changes.test.ts compares the working schema with (README "Schema changes").
const file = path.join(ROOT_DIR, 'schema.released.graphql');
fs.writeFileSync(file, printPublicSchema(loadTypeDefs()));
console.log(`wrote ${path.relative(process.cwd(), file)}`);
