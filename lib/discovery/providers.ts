import type { TlsMode } from '@/lib/sources/schema';

/**
 * The bundled provider table: mailbox providers by address domain, and the MX
 * hosts that reveal a custom domain they host. Settings follow each provider's
 * own help pages and Thunderbird's ISPDB; `key` is Context.IO's discovery `type`.
 */

export interface ProviderImap {
  server: string;
  port: number;
  tlsMode: TlsMode;
  /** What the mailbox logs in with: the whole address or the part before the @. */
  username: 'email' | 'localpart';
}

export interface Provider {
  key: string;
  name: string;
  domains: string[];
  mxSuffixes: string[];
  /** null: no IMAP a server can reach (Proton's is a bridge on the user's computer; Tuta has none). */
  imap: ProviderImap | null;
  /** Ordinary passwords are refused over IMAP: an app password is needed (or OAuth, not offered yet). */
  appPassword: boolean;
  /** For the end user, shown beside the settings. */
  notes: string[];
}

const implicitTls = (server: string): ProviderImap => ({ server, port: 993, tlsMode: 'TLS', username: 'email' });

const GOOGLE_APP_PASSWORD =
  'Google requires an app password: myaccount.google.com/apppasswords (2-Step Verification must be on).';
const ZOHO_IMAP_ACCESS =
  'Turn on IMAP access in Zoho Mail settings (not every plan has it); with two-factor authentication, use an app-specific password.';
const MICROSOFT_NO_PASSWORDS =
  'Microsoft is switching IMAP to Microsoft sign-in (OAuth) only; a password or app password may be refused.';

export const PROVIDERS: readonly Provider[] = [
  {
    key: 'gmail',
    name: 'Gmail',
    domains: ['gmail.com', 'googlemail.com'],
    mxSuffixes: [],
    imap: implicitTls('imap.gmail.com'),
    appPassword: true,
    notes: [GOOGLE_APP_PASSWORD],
  },
  {
    // Hosted domains keep their own addresses; only the MX hosts tell.
    key: 'gmail',
    name: 'Google Workspace',
    domains: [],
    mxSuffixes: ['google.com', 'googlemail.com'],
    imap: implicitTls('imap.gmail.com'),
    appPassword: true,
    notes: [GOOGLE_APP_PASSWORD, 'Your administrator may have turned off IMAP or app passwords for your organisation.'],
  },
  {
    key: 'outlook',
    name: 'Outlook.com',
    domains: [
      'outlook.com',
      'hotmail.com',
      'live.com',
      'msn.com',
      'windowslive.com',
      'passport.com',
      'outlook.fr',
      'outlook.de',
      'hotmail.co.uk',
      'hotmail.fr',
      'hotmail.de',
      'hotmail.it',
      'hotmail.es',
      'live.co.uk',
      'live.fr',
      'live.de',
      'live.nl',
    ],
    mxSuffixes: [],
    imap: implicitTls('outlook.office365.com'),
    appPassword: true,
    notes: [
      'With two-step verification on, Microsoft requires an app password: account.live.com/proofs/AppPassword.',
      MICROSOFT_NO_PASSWORDS,
    ],
  },
  {
    key: 'outlook',
    name: 'Microsoft 365',
    domains: [],
    // <tenant>.mail.protection.outlook.com for work and school domains.
    mxSuffixes: ['protection.outlook.com'],
    imap: implicitTls('outlook.office365.com'),
    appPassword: true,
    notes: [
      'Microsoft 365 work and school mailboxes usually accept only Microsoft sign-in (OAuth), not passwords.',
      'Your administrator must allow IMAP for your mailbox.',
    ],
  },
  {
    key: 'yahoo',
    name: 'Yahoo Mail',
    domains: [
      'yahoo.com',
      'ymail.com',
      'rocketmail.com',
      'yahoo.co.uk',
      'yahoo.fr',
      'yahoo.de',
      'yahoo.it',
      'yahoo.es',
      'yahoo.ca',
      'yahoo.com.au',
      'yahoo.com.br',
      'yahoo.in',
    ],
    // Also AOL's MX, but aol.com and its siblings are matched by domain first.
    mxSuffixes: ['yahoodns.net'],
    imap: implicitTls('imap.mail.yahoo.com'),
    appPassword: true,
    notes: ['Yahoo requires an app password: login.yahoo.com/account/security ("Generate app password").'],
  },
  {
    key: 'aol',
    name: 'AOL Mail',
    // Verizon moved its verizon.net mailboxes to AOL.
    domains: ['aol.com', 'aim.com', 'verizon.net'],
    mxSuffixes: [],
    imap: implicitTls('imap.aol.com'),
    appPassword: true,
    notes: ['AOL requires an app password: login.aol.com/account/security ("Generate app password").'],
  },
  {
    key: 'icloud',
    name: 'iCloud Mail',
    domains: ['icloud.com', 'me.com', 'mac.com'],
    mxSuffixes: ['mail.icloud.com'],
    imap: implicitTls('imap.mail.me.com'),
    appPassword: true,
    notes: [
      'Apple requires an app-specific password: account.apple.com, Sign-In and Security, App-Specific Passwords.',
      'If the full address is refused as the username, try only the part before the @.',
    ],
  },
  {
    key: 'fastmail',
    name: 'Fastmail',
    domains: ['fastmail.com', 'fastmail.fm'],
    mxSuffixes: ['messagingengine.com'],
    imap: implicitTls('imap.fastmail.com'),
    appPassword: true,
    notes: ['Fastmail requires an app password: Settings, Privacy & Security, Manage app passwords.'],
  },
  {
    key: 'zoho',
    name: 'Zoho Mail',
    domains: ['zoho.com', 'zohomail.com'],
    mxSuffixes: [],
    imap: implicitTls('imap.zoho.com'),
    appPassword: false,
    notes: [ZOHO_IMAP_ACCESS],
  },
  // Organisation (custom domain) mailboxes live on imappro, in the data centre their MX names.
  ...['zoho.com', 'zoho.eu', 'zoho.in', 'zoho.com.au'].map(
    (zohoDomain): Provider => ({
      key: 'zoho',
      name: 'Zoho Mail',
      domains: [],
      mxSuffixes: [zohoDomain],
      imap: implicitTls(`imappro.${zohoDomain}`),
      appPassword: false,
      notes: [ZOHO_IMAP_ACCESS],
    }),
  ),
  {
    key: 'gmx',
    name: 'GMX',
    domains: ['gmx.com', 'gmx.us', 'gmx.co.uk', 'gmx.fr', 'gmx.es', 'gmx.it'],
    mxSuffixes: [],
    imap: implicitTls('imap.gmx.com'),
    appPassword: false,
    notes: ['Turn on POP3/IMAP access in your GMX settings first.'],
  },
  {
    // GMX's German-language service runs on separate servers.
    key: 'gmx',
    name: 'GMX',
    domains: ['gmx.net', 'gmx.de', 'gmx.at', 'gmx.ch'],
    mxSuffixes: [],
    imap: implicitTls('imap.gmx.net'),
    appPassword: false,
    notes: ['Turn on POP3/IMAP access in your GMX settings first.'],
  },
  {
    key: 'webde',
    name: 'WEB.DE',
    domains: ['web.de'],
    mxSuffixes: [],
    imap: implicitTls('imap.web.de'),
    appPassword: false,
    notes: ['Turn on POP3/IMAP access in your WEB.DE settings first.'],
  },
  {
    key: 'mailcom',
    name: 'mail.com',
    domains: ['mail.com', 'email.com', 'usa.com', 'post.com'],
    mxSuffixes: [],
    imap: implicitTls('imap.mail.com'),
    appPassword: false,
    notes: ['mail.com offers IMAP access only on some plans; turn it on in your mail.com settings.'],
  },
  {
    key: 'yandex',
    name: 'Yandex Mail',
    domains: ['yandex.com', 'yandex.ru', 'ya.ru'],
    mxSuffixes: ['yandex.net', 'yandex.ru'],
    imap: implicitTls('imap.yandex.com'),
    appPassword: true,
    notes: ['Allow mail clients in Yandex Mail settings and create an app password: id.yandex.com/security.'],
  },
  {
    key: 'mailru',
    name: 'Mail.ru',
    domains: ['mail.ru', 'inbox.ru', 'list.ru', 'bk.ru'],
    mxSuffixes: ['mail.ru'],
    imap: implicitTls('imap.mail.ru'),
    appPassword: true,
    notes: ['Mail.ru requires a password for external applications, created in your account security settings.'],
  },
  {
    key: 'orange',
    name: 'Orange',
    domains: ['orange.fr', 'wanadoo.fr'],
    mxSuffixes: [],
    imap: implicitTls('imap.orange.fr'),
    appPassword: false,
    notes: [],
  },
  {
    key: 'tonline',
    name: 'Telekom (t-online.de)',
    domains: ['t-online.de', 'magenta.de'],
    mxSuffixes: [],
    imap: implicitTls('secureimap.t-online.de'),
    appPassword: true,
    notes: [
      'Use your E-Mail-Passwort from the Telekom customer centre; your Telekom login password does not work here.',
    ],
  },
  {
    key: 'att',
    name: 'AT&T Mail',
    domains: [
      'att.net',
      'sbcglobal.net',
      'bellsouth.net',
      'pacbell.net',
      'swbell.net',
      'ameritech.net',
      'flash.net',
      'nvbell.net',
      'prodigy.net',
      'snet.net',
      'wans.net',
      'currently.com',
    ],
    mxSuffixes: [],
    imap: implicitTls('imap.mail.att.net'),
    appPassword: true,
    notes: [
      "AT&T requires a secure mail key instead of your password: create one in your AT&T profile's sign-in info.",
    ],
  },
  {
    key: 'comcast',
    name: 'Xfinity (Comcast)',
    domains: ['comcast.net'],
    mxSuffixes: [],
    imap: implicitTls('imap.comcast.net'),
    appPassword: false,
    notes: ['Turn on Third Party Access Security in your Xfinity email settings first.'],
  },
  {
    key: 'qq',
    name: 'QQ Mail',
    domains: ['qq.com'],
    mxSuffixes: [],
    imap: implicitTls('imap.qq.com'),
    appPassword: true,
    notes: [
      'Turn on IMAP in QQ Mail settings and sign in with the authorization code it gives you, not your QQ password.',
    ],
  },
  {
    key: 'proton',
    name: 'Proton Mail',
    domains: ['proton.me', 'protonmail.com', 'protonmail.ch', 'pm.me'],
    mxSuffixes: ['protonmail.ch'],
    imap: null,
    appPassword: false,
    notes: ['Proton Mail offers IMAP only through Proton Mail Bridge on your own computer, which we cannot reach.'],
  },
  {
    key: 'tuta',
    name: 'Tuta',
    domains: ['tuta.com', 'tuta.io', 'tutanota.com', 'tutanota.de', 'tutamail.com', 'keemail.me'],
    mxSuffixes: ['tutanota.de'],
    imap: null,
    appPassword: false,
    notes: ['Tuta does not offer IMAP access.'],
  },
];

/** The provider a connect flow remembered by key (the first entry: Gmail before Google Workspace). */
export function findProviderByKey(key: string): Provider | undefined {
  return key ? PROVIDERS.find((provider) => provider.key === key) : undefined;
}

export function findProviderByDomain(domain: string): Provider | undefined {
  const name = domain.toLowerCase();
  return PROVIDERS.find((provider) => provider.domains.includes(name));
}

/** MX host names may end with the root dot (`aspmx.l.google.com.`); a suffix matches whole labels only. */
export function findProviderByMxHost(mxHost: string): Provider | undefined {
  const host = mxHost.toLowerCase().replace(/\.$/, '');
  return PROVIDERS.find((provider) =>
    provider.mxSuffixes.some((suffix) => host === suffix || host.endsWith(`.${suffix}`)),
  );
}
