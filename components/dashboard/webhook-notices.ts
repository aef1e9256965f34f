/** The notices the webhook actions redirect with (?notice=…), shared by the pages that list webhooks. */
export const WEBHOOK_NOTICES: Record<string, { message: string; isError?: boolean }> = {
  'webhook-created': { message: 'The webhook was created. New matching mail is POSTed to it from now on.' },
  'webhook-paused': { message: 'The webhook was paused.' },
  'webhook-resumed': { message: 'The webhook was resumed.' },
  'webhook-deleted': { message: 'The webhook was deleted.' },
  'webhook-gone': { message: 'That webhook does not exist. Reload the page.', isError: true },
  'retry-queued': { message: 'The delivery is being sent again now. Its new attempt shows below.' },
  'retry-delivered': { message: 'That delivery was already made.', isError: true },
  'retry-gone': { message: 'That delivery does not exist. Reload the page.', isError: true },
  expired: { message: 'This form has expired. Reload the page and try again.', isError: true },
};
