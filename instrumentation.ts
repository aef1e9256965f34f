/** Next.js calls this once per server process, before it serves requests. */
export async function register(): Promise<void> {
  // The Edge runtime has no file system or database drivers; only the Node.js server boots Mailport.
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { startServer } = await import('@/lib/server/start');
  await startServer();
}
