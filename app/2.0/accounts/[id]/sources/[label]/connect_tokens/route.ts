import { methodNotAllowed, optionsForResource } from '@/lib/http/api-route';
import { connectTokenCollection } from '../../../../../_shared/connect-tokens';

/** /2.0/accounts/:id/sources/:label/connect_tokens: tokens that re-authorise a source (spec §7). */
export const { GET, POST } = connectTokenCollection('source');
export const PUT = methodNotAllowed;
export const DELETE = methodNotAllowed;
export const PATCH = methodNotAllowed;
export const OPTIONS = optionsForResource;
