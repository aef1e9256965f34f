/** What end users of providers that refuse ordinary passwords over IMAP need to know. */
export const APP_PASSWORD_NOTES: Record<string, { provider: string; url: string }> = {
  gmail: { provider: 'Google', url: 'https://myaccount.google.com/apppasswords' },
  outlook: { provider: 'Microsoft', url: 'https://account.live.com/proofs/AppPassword' },
  yahoo: { provider: 'Yahoo', url: 'https://login.yahoo.com/account/security' },
  icloud: { provider: 'Apple', url: 'https://appleid.apple.com/account/manage' },
  aol: { provider: 'AOL', url: 'https://login.aol.com/account/security' },
};
