/** A source's status (spec §9) as a badge: OK is good, anything else needs the developer's attention. */
export function sourceStatusBadge(status: string): { label: string; tone: 'good' | 'bad' } {
  return status === 'OK' ? { label: 'OK', tone: 'good' } : { label: status.replaceAll('_', ' '), tone: 'bad' };
}
