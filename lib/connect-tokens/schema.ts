import { z } from 'zod';
import { accountJson } from '@/lib/accounts/schema';
import { LOCALES, localeParam } from '@/lib/i18n/locales';
import { CONNECT_TOKEN_PATTERN } from '@/lib/ids';
import {
  browserCallbackUrl,
  emailAddress,
  flag,
  optionalHttpUrl,
  optionalText,
  pagination,
  storableString,
} from '@/lib/validation/fields';

/**
 * Connect token inputs (spec §5–§7). Shared by the API routes, the dashboard
 * form and the OpenAPI document; no Prisma here.
 */

/** Context.IO's sentinel for "do not show this field" (stored empty). */
export const HIDDEN_NAME = '*hidden*';

/** An unused token expires (answers 404) and is purged this long after creation. */
export const CONNECT_TOKEN_LIFETIME_MS = 24 * 60 * 60 * 1000;
/** An expired token answers 404 at once but stays this long for the dashboard's "expired" list, then is purged. */
export const EXPIRED_TOKEN_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

/** A full address, or only `@domain` to pre-select the provider and ask for the local part. */
const tokenEmail = z.preprocess(
  (value) => (value === '' || value === null ? undefined : value),
  emailAddress({
    messages: {
      invalid: 'expected an email address such as jane@example.com, or @example.com to ask for the rest',
      required: 'expected an email address or @domain',
    },
    allowDomain: true,
    lowerCase: true,
  }).optional(),
);

const name = optionalText(100);

/** How the flow hands back to the partner (a Mailport addition): Context.IO's full-page redirect, or connect.js's popup. */
export const CONNECT_MODES = ['redirect', 'popup'] as const;
export type ConnectMode = (typeof CONNECT_MODES)[number];

/** The Mailport additions every level of token takes (docs/decisions.md, "Connect pages"). */
const mailportAdditions = {
  locale: localeParam.meta({
    description: `Mailport addition: the connect pages' language, one of ${LOCALES.join(', ')} (a region such as de-AT is accepted and stored as de). Without it the browser's Accept-Language decides, then English.`,
  }),
  mode: z
    .preprocess(
      (value) => (value === '' || value === null ? undefined : value),
      z.enum(CONNECT_MODES, { error: `expected one of ${CONNECT_MODES.join(', ')}` }).optional(),
    )
    .meta({
      description:
        'Mailport addition: redirect (default, as Context.IO) or popup (the flow runs in a popup opened by /connect.js and posts its outcome to the opener at the origin of callback_url, which must then be http(s)).',
    }),
  redirect_on_error: flag.meta({
    description:
      'Mailport addition: 1 sends the browser to callback_url with error=<code>&error_description=… (and contextio_token) when the end user cancels or the token has expired or been used, instead of our page.',
  }),
};

/** A popup posts to the opener at callback_url's origin: an app scheme (myapp://) has none. */
function popupNeedsWebOrigin(
  value: { callback_url: string; mode?: ConnectMode | undefined },
  context: z.core.$RefinementCtx<unknown>,
) {
  if (value.mode === 'popup' && !/^https?:\/\//i.test(value.callback_url)) {
    context.addIssue({
      code: 'custom',
      path: ['mode'],
      message: 'mode=popup needs an http(s) callback_url: the popup posts its result to that origin',
    });
  }
}

/** POST /2.0/connect_tokens and /2.0/accounts/:id/connect_tokens. */
const connectTokenFields = z.object({
  callback_url: browserCallbackUrl.meta({
    description:
      'Where the browser is sent (GET) when the mailbox is connected, with contextio_token=<token> added to the query.',
  }),
  email: tokenEmail.meta({
    description: 'The mailbox to connect: skips the first step. Only @domain pre-selects the provider.',
  }),
  first_name: name.meta({ description: "The account holder's first name; *hidden* hides the field." }),
  last_name: name.meta({ description: "The account holder's last name; *hidden* hides the field." }),
  source_callback_url: optionalHttpUrl.meta({
    description: "POSTed to when the source's initial sync completes. A private or local host is refused (400).",
  }),
  status_callback_url: optionalHttpUrl.meta({
    description: "POSTed to when the source's connection status changes. A private or local host is refused (400).",
  }),
  source_sync_all_folders: flag.meta({ description: '1: keep Trash, Drafts, Junk and similar folders in the sync.' }),
  source_sync_folders: optionalText(1000).meta({
    description: 'Comma list of special folders to sync despite the default filter, e.g. All,Trash.',
  }),
  source_sync_flags: flag.meta({ description: '1: sync the \\Seen and \\Flagged flags.' }),
  source_raw_file_list: flag.meta({ description: '1: list every attachment, signature images included.' }),
  source_expunge_on_deleted_flag: flag.meta({ description: '1: hide messages flagged \\Deleted.' }),
  ...mailportAdditions,
});
export const createConnectTokenInput = connectTokenFields.superRefine(popupNeedsWebOrigin);
export type CreateConnectTokenInput = z.output<typeof createConnectTokenInput>;

/** POST /2.0/accounts/:id/sources/:label/connect_tokens: only the callback (spec §7), and our additions. */
export const createReconnectTokenInput = z
  .object({ callback_url: connectTokenFields.shape.callback_url, ...mailportAdditions })
  .superRefine(popupNeedsWebOrigin);

/** Connect-token lists take no parameters in the clients; limit/offset are accepted anyway. */
export const listConnectTokensInput = z.object(pagination(1000, 1000));
export type ListConnectTokensInput = z.output<typeof listConnectTokensInput>;

/**
 * The one vocabulary for a token's level (spec §5–§7): `top` makes a new account,
 * `account` adds a source to one, `source` re-connects one. The API's three
 * route families, the scope of data functions and the connect pages all use it.
 */
export const CONNECT_TOKEN_LEVELS = ['top', 'account', 'source'] as const;
export type ConnectTokenLevel = (typeof CONNECT_TOKEN_LEVELS)[number];

/** A token's level, from the targets stored on it. */
export function connectTokenLevel(targets: {
  targetAccountId: string | null;
  targetSource: unknown;
}): ConnectTokenLevel {
  if (targets.targetSource) return 'source';
  return targets.targetAccountId ? 'account' : 'top';
}

export const connectTokenParam = z
  .string()
  .regex(CONNECT_TOKEN_PATTERN, 'expected a 16-character connect token')
  .meta({ description: 'The connect token, 16 lowercase base-36 characters.' });

/** A connect token as the API returns it (spec §5). */
export const connectTokenJson = z
  .object({
    token: z.string(),
    email: z.string(),
    created: z.number().int().meta({ description: 'Unix seconds' }),
    used: z.number().int().meta({ description: 'Unix seconds; 0 while unused' }),
    expires: z.union([z.number().int(), z.literal(false)]).meta({ description: 'Unix seconds; false once used' }),
    callback_url: z.string(),
    first_name: z.string(),
    last_name: z.string(),
    account: z.union([accountJson, z.object({}).strict()]).meta({ description: '{} until the token is used' }),
    server_label: z.string(),
    source_callback_url: z.string(),
    status_callback_url: z.string(),
    source_sync_all_folders: z.boolean(),
    source_sync_folders: z.string(),
    source_sync_flags: z.boolean(),
    source_raw_file_list: z.boolean(),
    source_expunge_on_deleted_flag: z.boolean(),
    resource_url: z.string(),
    browser_redirect_url: z.string(),
    locale: z.string().meta({ description: 'Mailport addition: the locale given at creation, or empty' }),
    mode: z.enum(CONNECT_MODES).meta({ description: 'Mailport addition: redirect or popup' }),
    redirect_on_error: z.boolean().meta({ description: 'Mailport addition: errors go back to callback_url' }),
  })
  .meta({ id: 'ConnectToken' });

export const connectTokenCreatedJson = z.object({
  success: z.literal(true),
  token: z.string(),
  resource_url: z.string(),
  browser_redirect_url: z.string(),
});

/** The API's 404 for a token that is unknown, another developer's, or expired (the dashboard shows it too). */
export const connectTokenNotFoundMessage = (token: string) => `connect_token ${token} is invalid or has expired`;

/** How the dashboard sorts tokens: not yet used, used, or expired unused. */
export const CONNECT_TOKEN_STATUSES = ['unused', 'used', 'expired'] as const;
export type ConnectTokenStatus = (typeof CONNECT_TOKEN_STATUSES)[number];

export function connectTokenStatus(token: { usedAt: Date | null; expiresAt: Date }, now: Date): ConnectTokenStatus {
  if (token.usedAt) return 'used';
  return token.expiresAt > now ? 'unused' : 'expired';
}

/**
 * The dashboard's token list: filters from the query string. An unknown status
 * falls back to "all"; an email search with control characters is refused
 * (PostgreSQL cannot compare NUL) and the page says so beside the field.
 */
export const dashboardTokenFilters = z.object({
  status: z.enum(CONNECT_TOKEN_STATUSES).optional().catch(undefined),
  email: storableString({ message: 'Remove the control characters (such as tabs) from the search.' })
    .trim()
    .toLowerCase()
    .transform((value) => value.slice(0, 254))
    .optional(),
});
export type DashboardTokenFilters = z.output<typeof dashboardTokenFilters>;
