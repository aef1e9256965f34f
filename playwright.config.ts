import { defineConfig, devices } from '@playwright/test';
import { oauthWorldServer, projectName, testServers as servers, testAreas } from './e2e/fixtures/servers';

/**
 * e2e runs against the production build (`npm run build` first, see scripts/test-all.sh; after a bare
 * `next build` the server still starts, compiling its edge at start-up):
 * one server on embedded PGlite, and one on PostgreSQL when MAILPORT_TEST_DATABASE_URL is set.
 * Projects are area × database, each runnable alone: `npx playwright test --project=api-pglite`.
 */
const chromium = {
  ...devices['Desktop Chrome'],
  launchOptions: {
    executablePath: process.env.MAILPORT_CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  },
};

export default defineConfig({
  testDir: './e2e',
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: [['list']],
  // No secret the tests know may appear in what the servers and the worker printed (e2e/fixtures/log-scan.ts).
  globalTeardown: './e2e/fixtures/log-scan.ts',
  timeout: 30_000,
  use: { trace: 'retain-on-failure' },
  projects: servers.flatMap((server) =>
    Object.entries(testAreas).map(([area, testMatch]) => ({
      name: projectName(area as keyof typeof testAreas, server),
      testMatch,
      use: { ...chromium, baseURL: `http://localhost:${server.port}` },
    })),
  ),
  webServer: [
    {
      ...oauthWorldServer,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: 'pipe' as const,
      stderr: 'pipe' as const,
    },
    ...servers.map((server) => ({
      command: server.command,
      url: `http://localhost:${server.port}/healthz`,
      env: server.env,
      reuseExistingServer: false,
      timeout: 120_000,
      stdout: 'pipe' as const,
      stderr: 'pipe' as const,
    })),
  ],
});
