import Link from 'next/link';

/** Server-side paging: ?page=N on the same URL, keeping the other query parameters. */
export function Pagination({
  basePath,
  query,
  page,
  pageSize,
  total,
  noun,
}: {
  basePath: string;
  query: Record<string, string | undefined>;
  page: number;
  pageSize: number;
  total: number;
  noun: string;
}) {
  if (total === 0) return null;
  const first = (page - 1) * pageSize + 1;
  const last = Math.min(page * pageSize, total);
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const href = (target: number) => {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) if (value) params.set(name, value);
    if (target > 1) params.set('page', String(target));
    const search = params.toString();
    return search ? `${basePath}?${search}` : basePath;
  };
  return (
    <nav aria-label="Pagination" className="mt-6 flex flex-wrap items-center justify-between gap-3 text-sm">
      <p className="text-slate-700">
        {first > total ? `No ${noun} on page ${page}` : `Showing ${first}–${last} of ${total} ${noun}`}
      </p>
      <div className="flex gap-2">
        {page > 1 && (
          <Link
            href={href(Math.min(page - 1, pages))}
            rel="prev"
            className="rounded-md border border-slate-400 bg-white px-3 py-2 font-medium text-slate-900 hover:bg-slate-100"
          >
            Previous page
          </Link>
        )}
        {page < pages && (
          <Link
            href={href(page + 1)}
            rel="next"
            className="rounded-md border border-slate-400 bg-white px-3 py-2 font-medium text-slate-900 hover:bg-slate-100"
          >
            Next page
          </Link>
        )}
      </div>
    </nav>
  );
}

/** `?page=` as a whole number of at least 1; anything else is page 1. */
export function pageFrom(value: string | string[] | undefined): number {
  const page = Number.parseInt(typeof value === 'string' ? value : '1', 10);
  return Number.isInteger(page) && page >= 1 && page <= 100_000 ? page : 1;
}
