/** One way to show times in the dashboard: UTC, minute precision, the same on server and client. */
export function formatTime(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
