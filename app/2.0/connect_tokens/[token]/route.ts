import { methodNotAllowed, optionsForResource } from '@/lib/http/api-route';
import { connectTokenItem } from '../../_shared/connect-tokens';
import * as contract from './contract';

export const { GET, DELETE } = connectTokenItem(contract);
export const POST = methodNotAllowed(contract);
export const PUT = methodNotAllowed(contract);
export const PATCH = methodNotAllowed(contract);
export const OPTIONS = optionsForResource(contract);
