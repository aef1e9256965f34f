// @ts-check

/** @type {import('next').NextConfig} */
const nextConfig = {
  // Context.IO clients send `/2.0/x/` and sign the path as sent: a redirect to `/2.0/x` breaks signed POSTs.
  skipTrailingSlashRedirect: true,
  // Native/Wasm database and engine packages must load with plain Node resolution, not be bundled.
  serverExternalPackages: [
    '@electric-sql/pglite',
    'pglite-prisma-adapter',
    '@prisma/schema-engine-wasm',
    '@prisma/adapter-pg',
    'pg',
    'pg-boss',
  ],
  poweredByHeader: false,
  // Security headers (CSP with a nonce, HSTS, Permissions-Policy, …) are set by proxy.ts.
};

export default nextConfig;
