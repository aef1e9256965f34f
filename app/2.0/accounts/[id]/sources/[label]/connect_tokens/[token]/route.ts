import { methodNotAllowed } from '@/lib/http/api-route';
import { connectTokenItem } from '../../../../../../_shared/connect-tokens';

export const { GET, DELETE } = connectTokenItem('source');
export const POST = methodNotAllowed;
export const PUT = methodNotAllowed;
