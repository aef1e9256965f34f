/**
 * Where `npm run build` puts the compiled HTTP edge (scripts/build-edge.ts) and
 * when scripts/start.mjs may use it: only beside the Next.js build it was made
 * with, so a later `next build` alone (new sources) never runs an older edge.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const COMPILED_EDGE = '.next/mailport/http-edge.mjs';
/** Holds the BUILD_ID of the Next.js build the edge was compiled with. */
export const COMPILED_EDGE_STAMP = '.next/mailport/build-id';
const NEXT_BUILD_ID = '.next/BUILD_ID';

/** @param {string} root @returns {string} */
export function readNextBuildId(root) {
  return readFileSync(path.join(root, NEXT_BUILD_ID), 'utf8').trim();
}

/** The compiled edge's path when it belongs to the current Next.js build, else undefined. @param {string} root */
export function findCurrentCompiledEdge(root) {
  const edge = path.join(root, COMPILED_EDGE);
  const stamp = path.join(root, COMPILED_EDGE_STAMP);
  if (!existsSync(edge) || !existsSync(stamp) || !existsSync(path.join(root, NEXT_BUILD_ID))) return undefined;
  return readFileSync(stamp, 'utf8').trim() === readNextBuildId(root) ? edge : undefined;
}
