/**
 * `npm start`: the production server (Next.js behind our HTTP edge, lib/server/http-edge.ts).
 * Plain Node on purpose: tsx compiles only our few edge modules (tsImport), while Next.js
 * loads its thousands of files untouched — a global TypeScript loader slowed start-up by seconds.
 */
import { tsImport } from 'tsx/esm/api';

// As `next start` does before loading Next.js (React picks its production build from NODE_ENV).
process.env.NODE_ENV ||= 'production';
process.env.NEXT_RUNTIME = 'nodejs';

const { startHttpEdge } = await tsImport('../lib/server/http-edge.ts', import.meta.url);
await startHttpEdge();
