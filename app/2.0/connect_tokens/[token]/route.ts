import { methodNotAllowed } from '@/lib/http/api-route';
import { connectTokenItem } from '../../_shared/connect-tokens';
import * as contract from './contract';

export const { GET, DELETE } = connectTokenItem(contract);
export const POST = methodNotAllowed;
export const PUT = methodNotAllowed;
