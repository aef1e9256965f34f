import { methodNotAllowed, optionsForResource } from '@/lib/http/api-route';
import { connectTokenCollection } from '../_shared/connect-tokens';

/** /2.0/connect_tokens: tokens that create a new account (spec §5). */
export const { GET, POST } = connectTokenCollection('top');
export const PUT = methodNotAllowed;
export const DELETE = methodNotAllowed;
export const PATCH = methodNotAllowed;
export const OPTIONS = optionsForResource;
