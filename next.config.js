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
  async headers() {
    // The connect pages and dashboard must never be framed by another site (clickjacking).
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'X-Frame-Options', value: 'DENY' },
          { key: 'Content-Security-Policy', value: "frame-ancestors 'none'" },
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'same-origin' },
        ],
      },
    ];
  },
};

export default nextConfig;
