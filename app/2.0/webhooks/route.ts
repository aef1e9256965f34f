import { methodNotAllowed, optionsForResource } from '@/lib/http/api-route';
import { webhookCollection } from '../_shared/webhooks';
import * as contract from './contract';

/** /2.0/webhooks: application-level webhooks, on every account of the developer (spec §15). */
export const { GET, POST } = webhookCollection(contract);
export const PUT = methodNotAllowed(contract);
export const DELETE = methodNotAllowed(contract);
export const PATCH = methodNotAllowed(contract);
export const OPTIONS = optionsForResource(contract);
