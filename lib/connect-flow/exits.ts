import type { ConnectMode } from '@/lib/connect-tokens/schema';
import { partnerReturnUrl } from '@/lib/connect-tokens/serialize';

/**
 * How the flow ends, and where the browser goes then: the one place that
 * decides between Context.IO's redirect to callback_url, our own page, and the
 * popup's finish page (which posts the outcome to the opener).
 */
export const FLOW_EXITS = ['connected', 'cancelled', 'expired', 'already_used', 'access_denied'] as const;
export type FlowExit = (typeof FLOW_EXITS)[number];

/**
 * The `error` codes a partner receives with redirect_on_error=1 (cancelled is
 * sent without it too: spec §13), and their `error_description`: for the
 * partner's developers, so in English. access_denied: the user refused consent at Google/Microsoft.
 */
export const EXIT_ERRORS = {
  cancelled: 'The user cancelled the connection.',
  expired: 'The connect token has expired.',
  already_used: 'The connect token has already been used.',
  access_denied: 'The user did not allow access at the mail provider.',
} as const satisfies Record<Exclude<FlowExit, 'connected'>, string>;

export interface ExitRow {
  id: string;
  callbackUrl: string;
  mode: ConnectMode;
  redirectOnError: boolean;
}

/** Where the popup's flow ends: our page that posts to the opener, whatever the outcome. */
export const finishPath = (token: string) => `/connect/${token}/finish`;

/**
 * The URL to send the browser to when the flow ends this way, or null to show
 * our own page (an expired or used token without redirect_on_error).
 */
export function exitUrl(row: ExitRow, exit: FlowExit): string | null {
  if (row.mode === 'popup') return finishPath(row.id);
  switch (exit) {
    case 'connected':
      return partnerReturnUrl(row.callbackUrl, row.id);
    case 'cancelled':
      return partnerReturnUrl(row.callbackUrl, row.id, {
        error: 'cancelled',
        ...(row.redirectOnError && { error_description: EXIT_ERRORS.cancelled }),
      });
    case 'expired':
    case 'already_used':
    case 'access_denied':
      return row.redirectOnError
        ? partnerReturnUrl(row.callbackUrl, row.id, { error: exit, error_description: EXIT_ERRORS[exit] })
        : null;
  }
}

/** What the popup's finish page posts to its opener (connect.js resolves or rejects with it). */
export type PopupMessage =
  | { source: 'mailport'; type: 'connected'; contextio_token: string }
  | { source: 'mailport'; type: 'cancelled'; contextio_token: string }
  | { source: 'mailport'; type: 'error'; error: 'expired' | 'access_denied'; contextio_token: string };

export function popupMessageFor(exit: FlowExit, token: string): PopupMessage {
  if (exit === 'connected' || exit === 'already_used')
    return { source: 'mailport', type: 'connected', contextio_token: token };
  if (exit === 'cancelled') return { source: 'mailport', type: 'cancelled', contextio_token: token };
  return { source: 'mailport', type: 'error', error: exit, contextio_token: token };
}

/**
 * The one origin a popup may post to: callback_url's, exactly (scheme, host and
 * port). Null for app schemes, which the token refuses with mode=popup anyway.
 */
export function popupTargetOrigin(callbackUrl: string): string | null {
  try {
    const url = new URL(callbackUrl);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.origin : null;
  } catch {
    return null;
  }
}
