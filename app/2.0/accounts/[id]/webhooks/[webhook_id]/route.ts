import { methodNotAllowed, optionsForResource } from '@/lib/http/api-route';
import { webhookItem } from '../../../../_shared/webhooks';
import * as contract from './contract';

/** /2.0/accounts/:id/webhooks/:webhook_id: one webhook of an account (spec §15). */
export const { GET, POST, DELETE } = webhookItem(contract);
export const PUT = methodNotAllowed(contract);
export const PATCH = methodNotAllowed(contract);
export const OPTIONS = optionsForResource(contract);
