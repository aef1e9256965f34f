import type { ReactNode } from 'react';

/** The frame of every connect page: who is asking and what they get. */
export function ConnectFrame({
  appName,
  title,
  children,
  showAccess = true,
}: {
  appName: string;
  title: string;
  children: ReactNode;
  showAccess?: boolean;
}) {
  return (
    <div className="min-h-screen bg-slate-50 px-4 py-8 sm:py-16">
      <main id="main" className="mx-auto max-w-md rounded-xl border border-slate-200 bg-white p-6 shadow-sm sm:p-8">
        <p className="text-sm font-medium text-slate-600">
          <span className="font-semibold text-slate-900">{appName}</span> uses Mailport to connect your mailbox
        </p>
        <h1 className="mt-2 text-2xl font-bold text-slate-900">{title}</h1>
        {showAccess && (
          <p className="mt-3 text-sm text-slate-700">
            {appName} will be able to read the messages, folders and attachments in this mailbox. Your password is
            encrypted and is never shared with {appName}.
          </p>
        )}
        <div className="mt-6">{children}</div>
      </main>
    </div>
  );
}
