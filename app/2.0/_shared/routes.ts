import type { RouteContract } from '@/lib/http/contract';
import * as accountConnectToken from '../accounts/[id]/connect_tokens/[token]/contract';
import * as accountConnectTokens from '../accounts/[id]/connect_tokens/contract';
import * as account from '../accounts/[id]/contract';
import * as accountFileContent from '../accounts/[id]/files/[file_id]/content/contract';
import * as accountFile from '../accounts/[id]/files/[file_id]/contract';
import * as accountFileRelated from '../accounts/[id]/files/[file_id]/related/contract';
import * as accountFiles from '../accounts/[id]/files/contract';
import * as accountMessageBody from '../accounts/[id]/messages/[message_id]/body/contract';
import * as accountMessage from '../accounts/[id]/messages/[message_id]/contract';
import * as accountMessageFlags from '../accounts/[id]/messages/[message_id]/flags/contract';
import * as accountMessageFolders from '../accounts/[id]/messages/[message_id]/folders/contract';
import * as accountMessageHeaders from '../accounts/[id]/messages/[message_id]/headers/contract';
import * as accountMessageSource from '../accounts/[id]/messages/[message_id]/source/contract';
import * as accountMessageThread from '../accounts/[id]/messages/[message_id]/thread/contract';
import * as accountMessages from '../accounts/[id]/messages/contract';
import * as sourceConnectToken from '../accounts/[id]/sources/[label]/connect_tokens/[token]/contract';
import * as sourceConnectTokens from '../accounts/[id]/sources/[label]/connect_tokens/contract';
import * as source from '../accounts/[id]/sources/[label]/contract';
import * as sourceFolders from '../accounts/[id]/sources/[label]/folders/contract';
import * as sourceSync from '../accounts/[id]/sources/[label]/sync/contract';
import * as sources from '../accounts/[id]/sources/contract';
import * as accountThread from '../accounts/[id]/threads/[thread_id]/contract';
import * as accountThreads from '../accounts/[id]/threads/contract';
import * as accountWebhook from '../accounts/[id]/webhooks/[webhook_id]/contract';
import * as accountWebhooks from '../accounts/[id]/webhooks/contract';
import * as accounts from '../accounts/contract';
import * as connectToken from '../connect_tokens/[token]/contract';
import * as connectTokens from '../connect_tokens/contract';
import * as discovery from '../discovery/contract';
import * as oauthProvider from '../oauth_providers/[provider_consumer_key]/contract';
import * as oauthProviders from '../oauth_providers/contract';
import * as appWebhook from '../webhooks/[webhook_id]/contract';
import * as appWebhooks from '../webhooks/contract';

/**
 * Every /2.0 route's contract, in document order: the OpenAPI document walks
 * this, and the e2e suite checks responses against it. A route.ts whose contract
 * is missing here fails lib/http/openapi.test.ts.
 */
export const API_ROUTES: readonly RouteContract[] = [
  connectTokens,
  connectToken,
  accountConnectTokens,
  accountConnectToken,
  sourceConnectTokens,
  sourceConnectToken,
  accounts,
  account,
  sources,
  source,
  sourceFolders,
  sourceSync,
  accountMessages,
  accountMessage,
  accountMessageBody,
  accountMessageHeaders,
  accountMessageSource,
  accountMessageFlags,
  accountMessageFolders,
  accountMessageThread,
  accountThreads,
  accountThread,
  accountFiles,
  accountFile,
  accountFileContent,
  accountFileRelated,
  appWebhooks,
  appWebhook,
  accountWebhooks,
  accountWebhook,
  discovery,
  oauthProviders,
  oauthProvider,
].flatMap((module) => Object.values(module) as RouteContract[]);
