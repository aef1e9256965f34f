import { describeOAuthWorkerKills } from './oauth-worker-kills.testing';

// A strict provider, new tokens on their way into PostgreSQL, a live source taken over, two refreshes at once.
describeOAuthWorkerKills('stored-and-live');
