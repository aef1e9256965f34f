/** Joins class names, dropping falsy ones, so variants read as data. */
export function cn(...classes: Array<string | false | null | undefined>): string {
  return classes.filter(Boolean).join(' ');
}
