/**
 * The OAuth2 connect flow in `npm run bench`: the time from "Continue with
 * Google" to the 303 back to the partner's callback_url, the way a browser
 * without JavaScript walks it (our redirect to the provider, the provider's
 * consent page and its answer, our callback: code exchange, IMAP XOAUTH2 proof,
 * the redeem). The provider is the local stand-in (e2e/fixtures/oauth-server.ts),
 * the mailbox a Dovecot checking tokens by introspection, both on loopback.
 */
import { type DovecotServer, startDovecot } from '../e2e/fixtures/dovecot';
import { type OAuthServer, startOAuthServer } from '../e2e/fixtures/oauth-server';
import { type BenchContext, call } from './client';

export interface OAuthConnectLatency {
  samples: number;
  p50: number;
  p95: number;
  /** With 20 samples, the slowest (the summary table's p99 column). */
  p99: number;
  /** Of which the stand-in provider's own two requests (consent page, its answer). */
  providerP50: number;
  target: string;
}

export interface BenchOAuth {
  auth: OAuthServer;
  dovecot: DovecotServer;
  /** For the app servers: Google's endpoints and IMAP are the stand-ins. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

const CALLBACK_URL = 'https://partner.example.com/connected';
const CLIENT_SECRET = 'bench-client-secret-0001';

export async function startBenchOAuth(): Promise<BenchOAuth | { reason: string }> {
  try {
    const auth = await startOAuthServer();
    const dovecot = await startDovecot({ oauth2IntrospectionUrl: auth.introspectionUrl });
    return {
      auth,
      dovecot,
      env: auth.env({ google: `imap://127.0.0.1:${dovecot.port}` }),
      stop: async () => {
        await Promise.allSettled([dovecot.stop(), auth.stop()]);
      },
    };
  } catch (error) {
    return { reason: (error as Error).message.split('\n')[0] ?? 'the OAuth stand-ins did not start' };
  }
}

function percentile(sorted: number[], fraction: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

/** One end user: open the page (not timed), then "Continue with Google" through to the partner. */
async function connectOnce(context: BenchContext, oauth: BenchOAuth, email: string) {
  const created = await call(context, 'POST', '/2.0/connect_tokens', { callback_url: CALLBACK_URL, email });
  const token = created.token as string;
  const page = await fetch(created.browser_redirect_url as string);
  if (page.status !== 200 || !(await page.text()).includes('Continue with Google')) {
    throw new Error(`connect page: ${page.status}, without "Continue with Google"`);
  }
  const started = performance.now();
  const toProvider = await fetch(`${context.baseUrl}/connect/${token}/oauth`, { redirect: 'manual' });
  const cookie = (toProvider.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const authorizeUrl = toProvider.headers.get('location') ?? '';
  const providerStarted = performance.now();
  const consentHtml = await (await fetch(authorizeUrl)).text();
  const form = new URLSearchParams();
  for (const match of consentHtml.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    form.set(
      match[1] ?? '',
      (match[2] ?? '').replace(/&#(\d+);/g, (_, code) => String.fromCharCode(Number(code))),
    );
  }
  form.set('email', email);
  form.set('decision', 'allow');
  const answer = await fetch(`${oauth.auth.url}/google/consent`, { method: 'POST', body: form, redirect: 'manual' });
  const providerMs = performance.now() - providerStarted;
  const back = await fetch(answer.headers.get('location') ?? '', { headers: { cookie }, redirect: 'manual' });
  const elapsed = performance.now() - started;
  const location = back.headers.get('location') ?? '';
  await back.body?.cancel();
  if (back.status !== 303 || !location.startsWith(`${CALLBACK_URL}?contextio_token=${token}`)) {
    throw new Error(
      `OAuth callback answered ${back.status} to ${location || '(no location)'}, not the partner redirect`,
    );
  }
  return { elapsed, providerMs };
}

export async function measureOAuthConnect(
  context: BenchContext,
  oauth: BenchOAuth,
  samples = 20,
): Promise<OAuthConnectLatency> {
  const clientId = `bench-${Date.now()}.apps.googleusercontent.com`;
  oauth.auth.registerClient(clientId, CLIENT_SECRET);
  await call(context, 'POST', '/2.0/oauth_providers', {
    type: 'GMAIL_OAUTH2',
    provider_consumer_key: clientId,
    provider_consumer_secret: CLIENT_SECRET,
  });
  const run = Date.now();
  for (let i = 0; i < 3; i++) await connectOnce(context, oauth, `warm-${run}-${i}@gmail.com`); // JIT, pools
  const total: number[] = [];
  const provider: number[] = [];
  for (let i = 0; i < samples; i++) {
    const sample = await connectOnce(context, oauth, `bench-${run}-${i}@gmail.com`);
    total.push(sample.elapsed);
    provider.push(sample.providerMs);
  }
  total.sort((a, b) => a - b);
  provider.sort((a, b) => a - b);
  return {
    samples,
    p50: percentile(total, 0.5),
    p95: percentile(total, 0.95),
    p99: percentile(total, 0.99),
    providerP50: percentile(provider, 0.5),
    target: 'p95 < 1000 ms on loopback (a real provider adds its own consent and token round trips)',
  };
}
