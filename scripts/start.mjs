/**
 * `npm start`: the production server (Next.js behind our HTTP edge, lib/server/http-edge.ts).
 * Plain Node on purpose: Next.js loads its thousands of files untouched. The edge itself comes
 * compiled by `npm run build` (scripts/build-edge.ts); after a bare `next build` it is compiled
 * here by tsx instead, which costs a second or more of start-up.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { findCurrentCompiledEdge } from './compiled-edge.mjs';

// As `next start` does before loading Next.js (React picks its production build from NODE_ENV).
process.env.NODE_ENV ||= 'production';
process.env.NEXT_RUNTIME = 'nodejs';

const root = path.resolve(import.meta.dirname, '..');
const compiled = findCurrentCompiledEdge(root);
const { startHttpEdge } = compiled
  ? await import(pathToFileURL(compiled).href)
  : await (await import('tsx/esm/api')).tsImport('../lib/server/http-edge.ts', import.meta.url);
await startHttpEdge({ dir: root });
