import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMPILED_EDGE, COMPILED_EDGE_STAMP, findCurrentCompiledEdge } from './compiled-edge.mjs';

/** `npm start` may run the compiled edge only beside the Next.js build it was compiled with. */

function projectWith(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'mailport-edge-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
  }
  return root;
}

describe('findCurrentCompiledEdge', () => {
  it('finds the edge compiled with the current build', () => {
    const root = projectWith({ '.next/BUILD_ID': 'build-1', [COMPILED_EDGE]: '', [COMPILED_EDGE_STAMP]: 'build-1\n' });
    expect(findCurrentCompiledEdge(root)).toBe(path.join(root, COMPILED_EDGE));
  });

  it('ignores an edge from an older build (a later bare `next build`)', () => {
    const root = projectWith({ '.next/BUILD_ID': 'build-2', [COMPILED_EDGE]: '', [COMPILED_EDGE_STAMP]: 'build-1\n' });
    expect(findCurrentCompiledEdge(root)).toBeUndefined();
  });

  it('needs the edge, its stamp and a build', () => {
    expect(findCurrentCompiledEdge(projectWith({ '.next/BUILD_ID': 'b', [COMPILED_EDGE_STAMP]: 'b' }))).toBeUndefined();
    expect(findCurrentCompiledEdge(projectWith({ '.next/BUILD_ID': 'b', [COMPILED_EDGE]: '' }))).toBeUndefined();
    expect(findCurrentCompiledEdge(projectWith({ [COMPILED_EDGE]: '', [COMPILED_EDGE_STAMP]: 'b' }))).toBeUndefined();
  });
});
