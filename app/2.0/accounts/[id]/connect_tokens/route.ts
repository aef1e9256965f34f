import { methodNotAllowed, optionsForResource } from '@/lib/http/api-route';
import { connectTokenCollection } from '../../../_shared/connect-tokens';

/** /2.0/accounts/:id/connect_tokens: tokens that add a mailbox to an account (spec §6). */
export const { GET, POST } = connectTokenCollection('account');
export const PUT = methodNotAllowed;
export const DELETE = methodNotAllowed;
export const PATCH = methodNotAllowed;
export const OPTIONS = optionsForResource;
