import { connectTokenItemContracts } from '../../../../../../_shared/connect-token-contracts';

export const { GET, DELETE } = connectTokenItemContracts('source');
