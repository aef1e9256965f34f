import Link from 'next/link';
import { PageShell } from '@/components/ui/page-shell';

export default function HomePage() {
  return (
    <PageShell>
      <h1 className="text-3xl font-bold tracking-tight sm:text-4xl">
        Connect your users&apos; mailboxes, without their passwords.
      </h1>
      <p className="mt-4 max-w-2xl text-lg text-slate-700">
        Mailport is a self-hosted mailbox connect service that speaks the Context.IO 2.0 API. Your app creates a connect
        token, sends the user to Mailport&apos;s hosted pages, and gets the user back with a connected mailbox. Existing
        Context.IO client libraries work against it unchanged.
      </p>
      <ol className="mt-8 grid gap-4 sm:grid-cols-3">
        <li className="rounded-lg border border-slate-200 bg-white p-4">
          <h2 className="font-semibold">1. Create a token</h2>
          <p className="mt-1 text-slate-700">
            <code className="font-mono text-sm">POST /2.0/connect_tokens</code> with a callback URL.
          </p>
        </li>
        <li className="rounded-lg border border-slate-200 bg-white p-4">
          <h2 className="font-semibold">2. Send the user</h2>
          <p className="mt-1 text-slate-700">They sign in to their mailbox on our hosted connect pages.</p>
        </li>
        <li className="rounded-lg border border-slate-200 bg-white p-4">
          <h2 className="font-semibold">3. Get them back</h2>
          <p className="mt-1 text-slate-700">
            Your callback receives <code className="font-mono text-sm">contextio_token</code>; read the account.
          </p>
        </li>
      </ol>
      <div className="mt-8 flex flex-wrap gap-4">
        <Link
          href="/dashboard"
          className="rounded-md bg-indigo-700 px-4 py-2 font-medium text-white hover:bg-indigo-800"
        >
          Open the dashboard
        </Link>
        <Link
          href="/docs/api"
          className="rounded-md border border-slate-300 bg-white px-4 py-2 font-medium text-slate-900 hover:bg-slate-100"
        >
          Read the API reference
        </Link>
      </div>
    </PageShell>
  );
}
