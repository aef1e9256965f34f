import type { Metadata } from 'next';
import { PageShell } from '@/components/ui/page-shell';

export const metadata: Metadata = { title: 'Dashboard' };

// The developer dashboard (sign-in, keys, tokens, accounts) is being built; until then keys come from the CLI.
export default function DashboardPage() {
  return (
    <PageShell>
      <h1 className="text-2xl font-bold">Dashboard</h1>
      <p className="mt-4 max-w-2xl text-slate-700">
        The developer dashboard is not available yet. Create API keys from the command line:
      </p>
      <pre className="mt-4 overflow-x-auto rounded-md bg-slate-900 p-4 text-sm text-slate-100">
        <code>npm run keys:create -- --email you@example.com --app-name &quot;Your App&quot;</code>
      </pre>
    </PageShell>
  );
}
