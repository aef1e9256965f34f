/** Plain-language messages for the connect pages, by the codes the domain returns. */
export function signInErrorMessage(code: string, server: string): string {
  switch (code) {
    case 'auth_failed':
      return 'The mail server did not accept this username and password. Check them and try again. Some providers need an app password instead of your usual password.';
    case 'unknown_host':
      return `We could not find a mail server called ${server}. Check the server name under “Advanced settings”.`;
    case 'connection_refused':
      return `${server} refused the connection. Check the server name and port under “Advanced settings”.`;
    case 'tls_failed':
      return `We could not set up a secure connection to ${server}. Check the security setting and port under “Advanced settings”.`;
    case 'timeout':
      return `${server} did not answer in time. It may be down or the port may be wrong; try again in a moment.`;
    case 'private_address':
      return `${server} points to a private or local network address, which is not allowed.`;
    case 'protocol_error':
      return `${server} did not answer like an IMAP mail server. Check the server name and port.`;
    case 'rate_limited':
      return 'Too many attempts to sign in. Wait 15 minutes before you try again.';
    case 'mailbox_rate_limited':
      return 'There have been too many attempts to sign in to this mailbox, so we have paused them to keep it safe. Wait an hour, then try again.';
    case 'address_rate_limited':
      return 'There have been too many attempts to sign in from your network. Wait an hour, then try again.';
    case 'mailbox_already_attached':
      return 'This mailbox is already connected to this account. Use a different mailbox, or go back.';
    case 'expired':
    case 'not_found':
      return 'This connect link has expired. Go back to the app and start again.';
    case 'target_gone':
      return 'The account or mailbox this link was for no longer exists. Go back to the app and start again.';
    case 'missing_identity':
      return 'Tell us your email address first.';
    case 'csrf':
      return 'Your form expired. Please submit it again.';
    default:
      return 'Something went wrong. Please try again.';
  }
}

/** Codes about the password or about waiting; any other sign-in error concerns the server settings. */
const NOT_ABOUT_SETTINGS = new Set(['auth_failed', 'rate_limited', 'mailbox_rate_limited', 'address_rate_limited']);

/** Whether the page should open "Advanced settings" to show the error beside the fields it concerns. */
export function signInErrorConcernsSettings(code: string): boolean {
  return !NOT_ABOUT_SETTINGS.has(code);
}
