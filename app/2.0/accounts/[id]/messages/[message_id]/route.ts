import { z } from 'zod';
import { accountIdParam } from '@/lib/accounts/schema';
import { apiRoute, methodNotAllowed, optionsForResource } from '@/lib/http/api-route';
import { notFound } from '@/lib/http/errors';
import { findMessage } from '@/lib/messages/data';
import { getMessageInput, messageIdParam } from '@/lib/messages/schema';
import { serializeMessage } from '@/lib/messages/serialize';
import { requireAccount } from '../../../../_shared/resources';

/** GET /2.0/accounts/:id/messages/:message_id (spec §10). */
export const GET = apiRoute({
  params: z.object({ id: accountIdParam, message_id: messageIdParam }),
  input: getMessageInput,
  handler: async ({ db, developerId, params, input, baseUrl }) => {
    await requireAccount(db, developerId, params.id);
    const message = await findMessage(db, params.id, params.message_id);
    if (!message) throw notFound(`message ${params.message_id} is invalid`);
    return { body: serializeMessage(message, baseUrl, { includeFlags: input.include_flags === true }) };
  },
});
export const POST = methodNotAllowed;
export const PUT = methodNotAllowed;
export const DELETE = methodNotAllowed;
export const PATCH = methodNotAllowed;
export const OPTIONS = optionsForResource;
