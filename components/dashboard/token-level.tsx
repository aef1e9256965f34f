import Link from 'next/link';

/** What using a token does, in words, with a link to the account it targets. */
export function TokenLevel({
  targetAccountId,
  targetSourceLabel,
}: {
  targetAccountId: string | null;
  targetSourceLabel: string | null | undefined;
}) {
  if (!targetAccountId) return <>New account</>;
  const account = (
    <Link href={`/dashboard/accounts/${targetAccountId}`} className="text-indigo-700 underline underline-offset-4">
      account {targetAccountId.slice(0, 8)}…
    </Link>
  );
  if (targetSourceLabel) {
    return (
      <>
        Reconnect <span className="break-all">{targetSourceLabel}</span> on {account}
      </>
    );
  }
  return <>Add a mailbox to {account}</>;
}
