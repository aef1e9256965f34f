import { getConfig } from '@/lib/env';
import { apiRoute, methodNotAllowed, optionsForResource } from '@/lib/http/api-route';
import { verifyImapLogin } from '@/lib/imap/verify';
import { deleteSource, updateSource } from '@/lib/sources/mutations';
import { serializeSource } from '@/lib/sources/serialize';
import * as contract from './contract';

export const GET = apiRoute(contract.GET, async ({ source, baseUrl }) => ({ body: serializeSource(source, baseUrl) }));

export const POST = apiRoute(contract.POST, async ({ db, source, input, now }) => {
  const { allowPrivateHosts } = getConfig();
  const result = await updateSource(db, source, input, {
    verify: (login) => verifyImapLogin(login, { allowPrivateHosts }),
    callbackHosts: { allowPrivateHosts },
    now,
  });
  return result.ok ? { body: { success: true as const } } : result;
});

// A miss after the scope lookup means the source went away meanwhile.
export const DELETE = apiRoute(contract.DELETE, async ({ db, source }) =>
  (await deleteSource(db, source)) ? { body: { success: true as const } } : { ok: false, reason: 'source_not_found' },
);

export const PUT = methodNotAllowed(contract);
export const PATCH = methodNotAllowed(contract);
export const OPTIONS = optionsForResource(contract);
