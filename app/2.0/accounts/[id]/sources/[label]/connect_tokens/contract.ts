import { connectTokenCollectionContracts } from '../../../../../_shared/connect-token-contracts';

export const { GET, POST } = connectTokenCollectionContracts('source');
