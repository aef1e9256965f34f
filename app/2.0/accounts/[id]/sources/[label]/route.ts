import { z } from 'zod';
import { accountIdParam } from '@/lib/accounts/schema';
import { disallowedCallbackUrlMessage } from '@/lib/developers/schema';
import { getConfig } from '@/lib/env';
import { apiRoute, methodNotAllowed } from '@/lib/http/api-route';
import { ApiError, badRequest, notFound } from '@/lib/http/errors';
import { verifyImapLogin } from '@/lib/imap/verify';
import { deleteSource, updateSource } from '@/lib/sources/mutations';
import { sourceLabelParam, updateSourceInput } from '@/lib/sources/schema';
import { serializeSource } from '@/lib/sources/serialize';
import { requireSource } from '../../../../_shared/resources';

const params = z.object({ id: accountIdParam, label: sourceLabelParam });

export const GET = apiRoute({
  params,
  input: z.object({}),
  handler: async ({ db, developerId, params, baseUrl }) => ({
    body: serializeSource(await requireSource(db, developerId, params.id, params.label), baseUrl),
  }),
});

export const POST = apiRoute({
  params,
  input: updateSourceInput,
  handler: async ({ db, developerId, params, input, now }) => {
    await requireSource(db, developerId, params.id, params.label);
    const { allowPrivateHosts } = getConfig();
    const result = await updateSource(db, developerId, params.id, params.label, input, {
      verify: (login) => verifyImapLogin(login, { allowPrivateHosts }),
      now,
    });
    if (!result.ok && result.reason === 'not_found') throw notFound(`source ${params.label} is invalid`);
    if (!result.ok && result.reason === 'callback_url_not_allowed') {
      throw badRequest(disallowedCallbackUrlMessage(result.field, result.prefixes));
    }
    if (!result.ok) throw new ApiError('imap_unavailable', result.message);
    return { body: { success: true } };
  },
});

export const DELETE = apiRoute({
  params,
  input: z.object({}),
  handler: async ({ db, developerId, params }) => {
    await requireSource(db, developerId, params.id, params.label);
    if (!(await deleteSource(db, developerId, params.id, params.label))) {
      throw notFound(`source ${params.label} is invalid`);
    }
    return { body: { success: true } };
  },
});

export const PUT = methodNotAllowed;
