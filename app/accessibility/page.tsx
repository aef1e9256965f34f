import type { Metadata } from 'next';
import { PageShell } from '@/components/ui/page-shell';
import { MIN_ACCENT_CONTRAST } from '@/lib/brands/schema';
import { LOCALES } from '@/lib/i18n/locales';

export const metadata: Metadata = { title: 'Accessibility statement' };

/**
 * The accessibility statement of the hosted connect pages. Each claim here is
 * checked by e2e/connect-pages.spec.ts (axe, keyboard-only, zoom, 320 px).
 */
export default function AccessibilityPage() {
  return (
    <PageShell>
      <h1 className="text-3xl font-bold tracking-tight">Accessibility statement</h1>
      <p className="mt-4 max-w-2xl text-slate-700">
        Mailport’s hosted connect pages (the pages at <code className="font-mono text-sm">/connect/…</code> where people
        connect their mailbox to an app) aim to conform to the{' '}
        <a className="text-indigo-700 underline underline-offset-4" href="https://www.w3.org/TR/WCAG22/">
          Web Content Accessibility Guidelines (WCAG) 2.2
        </a>{' '}
        at level AA.
      </p>
      <h2 className="mt-8 text-xl font-semibold">What we test on every change</h2>
      <ul className="mt-2 max-w-2xl list-disc space-y-1 ps-5 text-slate-700">
        <li>
          An automated check (axe) of every step, error and end page, in every language ({LOCALES.join(', ')}) and in
          the light, dark and system themes.
        </li>
        <li>The whole flow can be completed with a keyboard alone, in a logical focus order, with a visible focus.</li>
        <li>Nothing is lost at 320 CSS pixels wide or at 200 % zoom; text reflows without horizontal scrolling.</li>
        <li>Errors are announced to screen readers and focused, and each one is tied to its field.</li>
        <li>The pages work without JavaScript (except the optional popup mode, which needs it).</li>
        <li>
          A partner’s accent colour is refused unless it has a contrast of at least {MIN_ACCENT_CONTRAST}:1 against the
          theme’s background, and the page language is announced (<code className="font-mono text-sm">lang</code>).
        </li>
      </ul>
      <h2 className="mt-8 text-xl font-semibold">Known limitations</h2>
      <ul className="mt-2 max-w-2xl list-disc space-y-1 ps-5 text-slate-700">
        <li>The developer dashboard and API reference are outside this statement’s scope.</li>
        <li>
          A partner’s uploaded logo is shown with its app name as the text alternative; we cannot check the image
          itself.
        </li>
      </ul>
      <h2 className="mt-8 text-xl font-semibold">Feedback</h2>
      <p className="mt-2 max-w-2xl text-slate-700">
        If something on the connect pages stops you, tell the app that sent you there or the operator of this Mailport
        server; they can reach the Mailport project through its issue tracker.
      </p>
    </PageShell>
  );
}
