import { webhookItemContracts } from '../../_shared/webhook-contracts';

export const { GET, POST, DELETE } = webhookItemContracts('app');
