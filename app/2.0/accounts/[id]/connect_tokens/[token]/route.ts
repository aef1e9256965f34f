import { methodNotAllowed, optionsForResource } from '@/lib/http/api-route';
import { connectTokenItem } from '../../../../_shared/connect-tokens';

export const { GET, DELETE } = connectTokenItem('account');
export const POST = methodNotAllowed;
export const PUT = methodNotAllowed;
export const PATCH = methodNotAllowed;
export const OPTIONS = optionsForResource;
