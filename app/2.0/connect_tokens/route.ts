import { methodNotAllowed, optionsForResource } from '@/lib/http/api-route';
import { connectTokenCollection } from '../_shared/connect-tokens';
import * as contract from './contract';

/** /2.0/connect_tokens: tokens that create a new account (spec §5). */
export const { GET, POST } = connectTokenCollection(contract);
export const PUT = methodNotAllowed(contract);
export const DELETE = methodNotAllowed(contract);
export const PATCH = methodNotAllowed(contract);
export const OPTIONS = optionsForResource(contract);
