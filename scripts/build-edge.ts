/**
 * Second half of `npm run build` (after `next build`): compiles the HTTP edge
 * (lib/server/http-edge.ts and what it imports) into one plain JavaScript file,
 * so `npm start` loads no TypeScript compiler (tsx cost 1–1.5 s of CPU per start,
 * mostly its loader hooks and source maps on every file Next.js loads).
 * The bundle is stamped with the Next.js build it belongs to: scripts/start.mjs
 * uses it only with that build, and compiles the TypeScript itself otherwise.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { COMPILED_EDGE, COMPILED_EDGE_STAMP, readNextBuildId } from './compiled-edge.mjs';

const root = path.resolve(import.meta.dirname, '..');
const buildId = readNextBuildId(root);

await build({
  entryPoints: [path.join(root, 'lib/server/http-edge.ts')],
  outfile: path.join(root, COMPILED_EDGE),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Next.js stays one copy, loaded from node_modules as `next start` would; our code and zod are bundled.
  external: ['next'],
  tsconfig: path.join(root, 'tsconfig.json'),
  logLevel: 'warning',
});
writeFileSync(path.join(root, COMPILED_EDGE_STAMP), `${buildId}\n`);
