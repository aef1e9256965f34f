/**
 * npm run dashboard:password -- --email EMAIL
 * Prints a one-time link that lets the developer choose a new dashboard password
 * (Mailport sends no e-mail). In embedded mode, while the app holds the data
 * directory, it goes through the app.
 */
import { parseArgs } from 'node:util';
import { closeDb, DatabaseBusyError, getDb } from '@/lib/db/client';
import { ConfigError, getConfig } from '@/lib/env';
import { readAdminChannel } from '@/lib/server/admin-channel';
import { describeStartupError } from '@/lib/server/start';
import { createPasswordReset } from '@/lib/sessions/mutations';
import { emailField } from '@/lib/sessions/schema';

const USAGE = 'usage: npm run dashboard:password -- --email EMAIL';

function fail(message: string): never {
  process.stderr.write(`dashboard:password: ${message}\n`);
  process.exit(1);
}

function parseEmail(): string {
  let values: { email?: string };
  try {
    ({ values } = parseArgs({ options: { email: { type: 'string' } }, strict: true }));
  } catch (error) {
    fail(`${(error as Error).message}\n${USAGE}`);
  }
  const parsed = emailField.safeParse(values.email ?? '');
  if (!parsed.success) fail(`--email: ${parsed.error.issues[0]?.message ?? 'invalid value'}\n${USAGE}`);
  return parsed.data;
}

type ResetLink = { ok: true; token: string; expiresAt: string } | { ok: false; reason: 'unknown_email' };

async function createThroughRunningApp(email: string): Promise<ResetLink> {
  const { dataDir } = getConfig();
  const channel = readAdminChannel(dataDir);
  if (!channel) {
    fail(
      `the embedded database in ${dataDir} is in use by a running Mailport, which does not answer CLI requests yet. Wait for it to finish starting, or stop it and run this command again.`,
    );
  }
  const response = await fetch(`${channel.url}/internal/admin/password-reset`, {
    method: 'POST',
    headers: { authorization: `Bearer ${channel.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ email }),
  }).catch(() => null);
  if (!response?.ok) {
    fail(
      `the embedded database in ${dataDir} is in use by Mailport (pid ${channel.pid}) and it did not accept the request at ${channel.url} (${response ? response.status : 'no answer'}). Stop it and run this command again.`,
    );
  }
  return (await response.json()) as ResetLink;
}

async function main() {
  const email = parseEmail();
  let result: ResetLink;
  try {
    getConfig();
    const created = await createPasswordReset(await getDb(), email, new Date());
    result = created.ok ? { ok: true, token: created.token, expiresAt: created.expiresAt.toISOString() } : created;
    await closeDb();
  } catch (error) {
    if (error instanceof DatabaseBusyError) result = await createThroughRunningApp(email);
    else if (error instanceof ConfigError) fail(error.message);
    else fail(describeStartupError(error));
  }
  if (!result.ok)
    fail(
      `no developer has the email ${email}. Create one with: npm run keys:create -- --email ${email} --app-name "Your App"`,
    );
  const link = `${getConfig().publicUrl}/dashboard/reset-password/${result.token}`;
  process.stdout.write(
    `One-time link to set the dashboard password of ${email} (works once, until ${result.expiresAt}):\n${link}\n`,
  );
  // Exit explicitly: the Wasm engines leave idle timers behind that would hold the process ~10 s.
  process.exit(0);
}

void main();
