import { webhookCollectionContracts } from '../../../_shared/webhook-contracts';

export const { GET, POST } = webhookCollectionContracts('account');
