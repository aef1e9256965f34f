import { methodNotAllowed, optionsForResource } from '@/lib/http/api-route';
import { webhookCollection } from '../../../_shared/webhooks';
import * as contract from './contract';

/** /2.0/accounts/:id/webhooks: webhooks on one account (spec §15). */
export const { GET, POST } = webhookCollection(contract);
export const PUT = methodNotAllowed(contract);
export const DELETE = methodNotAllowed(contract);
export const PATCH = methodNotAllowed(contract);
export const OPTIONS = optionsForResource(contract);
