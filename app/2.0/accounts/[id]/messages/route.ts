import { z } from 'zod';
import { accountIdParam } from '@/lib/accounts/schema';
import { apiRoute, methodNotAllowed, optionsForResource } from '@/lib/http/api-route';
import { listMessages } from '@/lib/messages/data';
import { listMessagesInput } from '@/lib/messages/schema';
import { serializeMessage } from '@/lib/messages/serialize';
import { requireAccount } from '../../../_shared/resources';

/** GET /2.0/accounts/:id/messages (spec §10). */
export const GET = apiRoute({
  params: z.object({ id: accountIdParam }),
  input: listMessagesInput,
  handler: async ({ db, developerId, params, input, baseUrl }) => {
    await requireAccount(db, developerId, params.id);
    const messages = await listMessages(db, params.id, input);
    const includeFlags = input.include_flags === true;
    return { body: messages.map((message) => serializeMessage(message, baseUrl, { includeFlags })) };
  },
});
export const POST = methodNotAllowed;
export const PUT = methodNotAllowed;
export const DELETE = methodNotAllowed;
export const PATCH = methodNotAllowed;
export const OPTIONS = optionsForResource;
