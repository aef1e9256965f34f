import { privateCallbackUrlMessage } from '@/lib/callbacks/schema';
import { connectTokenNotFoundMessage } from '@/lib/connect-tokens/schema';
import { disallowedCallbackUrlMessage } from '@/lib/developers/schema';
import { ApiError, type ApiErrorCode } from './errors';

/**
 * The one table from domain outcomes (`{ ok: false, reason }`) to an API error:
 * its code (so its status, lib/http/errors.ts) and its message. Handlers return
 * failures as values; the wrapper maps them here, never in per-handler `if`s.
 */

type NotFoundReason =
  | 'account_not_found'
  | 'source_not_found'
  | 'message_not_found'
  | 'file_not_found'
  | 'token_not_found'
  | 'webhook_not_found'
  | 'oauth_provider_not_found';

/** One member per reason, so FailureOf<R> picks exactly the failures a route declares. */
export type DomainFailure =
  | { [Reason in NotFoundReason]: { ok: false; reason: Reason } }[NotFoundReason]
  /** The developer's settings allow callbacks only under some prefixes, and `field` is not under any. */
  | { ok: false; reason: 'callback_url_not_allowed'; field: string; prefixes: string[] }
  /** A server-side callback URL (source_/status_callback_url) whose host is a private or local address. */
  | { ok: false; reason: 'callback_url_private'; field: string; host: string }
  /** A mailbox server we could not talk to (spec §3). */
  | { ok: false; reason: 'imap_unavailable'; message: string }
  /** Synced, but no longer on the mail server (deleted, moved, or its folder renumbered). */
  | { ok: false; reason: 'message_gone' }
  /** Content too large to answer in JSON: the message says where to stream it from. */
  | { ok: false; reason: 'content_too_large'; bytes: number; limit: number; instead: string }
  | { ok: false; reason: 'thread_not_found' }
  /** The developer already has an OAuth provider with this client id (spec §14). */
  | { ok: false; reason: 'oauth_provider_exists'; consumerKey: string }
  /** provider_consumer_key names none of the developer's oauth_providers. */
  | { ok: false; reason: 'oauth_provider_unknown'; consumerKey: string }
  /** The mailbox is a source of this account already. */
  | { ok: false; reason: 'mailbox_already_attached' };

export type DomainReason = DomainFailure['reason'];
export type FailureOf<Reason extends DomainReason> = Extract<DomainFailure, { reason: Reason }>;

/** Path parameters as validated, for messages that name the resource the client asked for. */
export type PathValues = Record<string, unknown>;

interface ReasonEntry<Reason extends DomainReason> {
  code: ApiErrorCode;
  /** For the OpenAPI document. */
  description: string;
  message: (failure: FailureOf<Reason>, params: PathValues) => string;
}

export const DOMAIN_REASONS: { [Reason in DomainReason]: ReasonEntry<Reason> } = {
  account_not_found: {
    code: 'not_found',
    description: "Unknown or another developer's account",
    message: (_, params) => `account ${String(params.id)} is invalid`,
  },
  source_not_found: {
    code: 'not_found',
    description: "Unknown or another developer's source",
    message: (_, params) => `source ${String(params.label)} is invalid`,
  },
  message_not_found: {
    code: 'not_found',
    description: 'Unknown message, or one the sync no longer shows',
    message: (_, params) => `message ${String(params.message_id)} is invalid`,
  },
  file_not_found: {
    code: 'not_found',
    description: 'Unknown file, or one of a message the sync no longer shows',
    message: (_, params) => `file ${String(params.file_id)} is invalid`,
  },
  token_not_found: {
    code: 'not_found',
    description: "Unknown, expired or another developer's connect token",
    message: (_, params) => connectTokenNotFoundMessage(String(params.token)),
  },
  webhook_not_found: {
    code: 'not_found',
    description: "Unknown webhook, one of another level (application or account), or another developer's",
    message: (_, params) => `webhook ${String(params.webhook_id)} is invalid`,
  },
  callback_url_not_allowed: {
    code: 'bad_request',
    description: "A callback URL is outside the developer's allowed prefixes",
    message: (failure) => disallowedCallbackUrlMessage(failure.field, failure.prefixes),
  },
  callback_url_private: {
    code: 'bad_request',
    description: 'A callback URL we would POST to points at a private or local address',
    message: (failure) => privateCallbackUrlMessage(failure.field, failure.host),
  },
  message_gone: {
    code: 'not_found',
    description: 'The message is no longer on the mail server',
    message: (_, params) => `message ${String(params.message_id ?? params.file_id)} is no longer on the mail server`,
  },
  content_too_large: {
    code: 'unprocessable',
    description: 'The content is larger than the API answers in JSON; stream it instead',
    message: (failure) =>
      `the content is ${failure.bytes} bytes, above the ${failure.limit}-byte limit for JSON answers; stream it from ${failure.instead}`,
  },
  thread_not_found: {
    code: 'not_found',
    description: 'Unknown thread',
    message: (_, params) => `thread ${String(params.thread_id)} is invalid`,
  },
  oauth_provider_not_found: {
    code: 'not_found',
    description: "Unknown or another developer's OAuth provider",
    message: (_, params) => `oauth provider ${String(params.provider_consumer_key)} is invalid`,
  },
  oauth_provider_exists: {
    code: 'bad_request',
    description: 'An OAuth provider with this client id exists already',
    message: (failure) =>
      `provider_consumer_key ${failure.consumerKey} is already an oauth provider of this key; delete it first to change its secret`,
  },
  oauth_provider_unknown: {
    code: 'bad_request',
    description: 'provider_consumer_key is not one of the oauth_providers',
    message: (failure) =>
      `provider_consumer_key ${failure.consumerKey} is not one of your oauth providers; add it with POST /2.0/oauth_providers`,
  },
  mailbox_already_attached: {
    code: 'bad_request',
    description: 'The mailbox is already a source of this account',
    message: () => 'this mailbox is already a source of this account',
  },
  imap_unavailable: {
    code: 'imap_unavailable',
    description: 'The mailbox server could not be reached',
    message: (failure) => failure.message,
  },
};

export function isDomainFailure(value: unknown): value is DomainFailure {
  return typeof value === 'object' && value !== null && (value as { ok?: unknown }).ok === false && 'reason' in value;
}

export function errorForFailure(failure: DomainFailure, params: PathValues): ApiError {
  const entry = DOMAIN_REASONS[failure.reason] as ReasonEntry<DomainReason>;
  return new ApiError(entry.code, entry.message(failure, params));
}
