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
      return 'Too many wrong passwords. Wait 15 minutes before you try again.';
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
