import type { PGlite } from '@electric-sql/pglite';

/**
 * PostgreSQL settings for the embedded database, on top of PGlite's own.
 *
 * PGlite keeps initdb's defaults: 128 MB of shared_buffers and shared memory
 * sized for 100 connections, all inside its WebAssembly memory, which grows and
 * never shrinks. An embedded Mailport has one session, and its files are read
 * through the kernel's page cache anyway (NODEFS reads and writes real files), so
 * 16 MB of buffers cost no measurable speed and keep ~150 MiB off the process's
 * resident memory (docs/benchmarks.md). `max_connections` must stay above
 * superuser_reserved_connections (3).
 */
const EMBEDDED_SETTINGS = ['shared_buffers=16MB', 'max_connections=8'];

/** PGlite.create options shared by the app, the CLI and the tests, so tests run what users run. */
export function embeddedStartParams(pglite: typeof PGlite): string[] {
  return [...pglite.defaultStartParams, ...EMBEDDED_SETTINGS.flatMap((setting) => ['-c', setting])];
}
