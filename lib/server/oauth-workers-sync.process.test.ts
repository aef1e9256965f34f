import { describeOAuthWorkerKills } from './oauth-worker-kills.testing';

// A worker SIGKILLed while its sync refreshes: before the provider answered, and after it issued new tokens.
describeOAuthWorkerKills('sync');
