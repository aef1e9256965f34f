import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

/**
 * The operator scripts as tests run them: compiled once per test file with
 * esbuild, then spawned with plain `node`. Through tsx every spawn paid ~1 s of
 * CPU for its loader (compiling each TypeScript file of the import graph on
 * the fly), and the CLI tests spawn about twenty of them. Same source, same
 * compiler (tsx is esbuild too); packages stay in node_modules, as under tsx.
 */

const root = path.resolve(import.meta.dirname, '..');

/**
 * Compiles `scripts/<name>.ts` for each name: the path of each bundle, and a
 * `remove` for afterAll. The bundles live inside the project (node_modules/.cache)
 * so that the packages they import resolve from node_modules as they do for the sources.
 */
export async function compileScripts<Name extends string>(
  names: Name[],
): Promise<{ scripts: Record<Name, string>; remove: () => void }> {
  const outdir = path.join(root, 'node_modules/.cache/mailport-test-scripts', randomBytes(6).toString('hex'));
  mkdirSync(outdir, { recursive: true });
  await build({
    entryPoints: names.map((name) => path.join(root, 'scripts', `${name}.ts`)),
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    tsconfig: path.join(root, 'tsconfig.json'),
    logLevel: 'warning',
  });
  return {
    scripts: Object.fromEntries(names.map((name) => [name, path.join(outdir, `${name}.mjs`)])) as Record<Name, string>,
    remove: () => rmSync(outdir, { recursive: true, force: true }),
  };
}
