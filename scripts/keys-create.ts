/**
 * npm run keys:create -- --email EMAIL --app-name NAME
 * Prints exactly one line of JSON on stdout: {"developer_id","key","secret"}.
 * In embedded mode, while the app holds the data directory, it goes through the app.
 */
import { parseArgs } from 'node:util';
import { closeDb, DatabaseBusyError, getDb } from '@/lib/db/client';
import { createDeveloperKey } from '@/lib/developers/mutations';
import { createDeveloperKeyInput, type DeveloperKeyCredentials } from '@/lib/developers/schema';
import { ConfigError, getConfig } from '@/lib/env';
import { readAdminChannel } from '@/lib/server/admin-channel';
import { describeStartupError } from '@/lib/server/start';

function fail(message: string): never {
  process.stderr.write(`keys:create: ${message}\n`);
  process.exit(1);
}

function parseInput() {
  let values: { email?: string; 'app-name'?: string };
  try {
    ({ values } = parseArgs({
      options: { email: { type: 'string' }, 'app-name': { type: 'string' } },
      strict: true,
    }));
  } catch (error) {
    fail(`${(error as Error).message}\nusage: npm run keys:create -- --email EMAIL --app-name NAME`);
  }
  const parsed = createDeveloperKeyInput.safeParse({ email: values.email, appName: values['app-name'] });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const flag = issue?.path[0] === 'appName' ? '--app-name' : '--email';
    fail(`${flag}: ${issue?.message ?? 'invalid value'}\nusage: npm run keys:create -- --email EMAIL --app-name NAME`);
  }
  return parsed.data;
}

async function createThroughRunningApp(input: ReturnType<typeof parseInput>): Promise<DeveloperKeyCredentials> {
  const { dataDir } = getConfig();
  const channel = readAdminChannel(dataDir);
  if (!channel) {
    fail(
      `the embedded database in ${dataDir} is in use by a running Mailport, which does not answer CLI requests yet. Wait for it to finish starting, or stop it and run this command again.`,
    );
  }
  const response = await fetch(`${channel.url}/internal/admin/keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${channel.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(input),
  }).catch(() => null);
  if (!response?.ok) {
    fail(
      `the embedded database in ${dataDir} is in use by Mailport (pid ${channel.pid}) and it did not accept the request at ${channel.url} (${response ? response.status : 'no answer'}). Stop it and run this command again.`,
    );
  }
  const body = (await response.json()) as { developer_id: string; key: string; secret: string };
  return { developerId: body.developer_id, key: body.key, secret: body.secret };
}

async function main() {
  const input = parseInput();
  let credentials: DeveloperKeyCredentials;
  try {
    getConfig();
    credentials = await createDeveloperKey(await getDb(), input);
    await closeDb();
  } catch (error) {
    if (error instanceof DatabaseBusyError) credentials = await createThroughRunningApp(input);
    else if (error instanceof ConfigError) fail(error.message);
    else fail(describeStartupError(error));
  }
  process.stdout.write(
    `${JSON.stringify({ developer_id: credentials.developerId, key: credentials.key, secret: credentials.secret })}\n`,
  );
  // Exit explicitly: the Wasm engines leave idle timers behind that would hold the process ~10 s.
  process.exit(0);
}

void main();
