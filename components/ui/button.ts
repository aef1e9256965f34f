import { cn } from './cn';

/**
 * The look of every button and button-like link: a variant (what it does) and a
 * size. Padding lives only in the size, so a size never fights a variant's class.
 */
const base =
  'inline-flex items-center justify-center gap-2 rounded-md font-semibold focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 aria-disabled:cursor-wait aria-disabled:opacity-80';

const variants = {
  primary: 'bg-indigo-700 text-white hover:bg-indigo-800 focus-visible:outline-indigo-700',
  secondary: 'border border-slate-400 bg-white text-slate-900 hover:bg-slate-100 focus-visible:outline-indigo-700',
  danger: 'border border-red-700 bg-white text-red-800 hover:bg-red-50 focus-visible:outline-red-700',
  /** The connect pages' main action: the partner's accent (checked for contrast) or Mailport's, per theme. */
  accent: 'bg-accent text-on-accent hover:opacity-90 focus-visible:outline-accent',
} as const;
export type ButtonVariant = keyof typeof variants;

/** `md` for the dashboard; `lg`, a bigger touch target, for the end users' connect pages. */
const sizes = { md: 'px-4 py-2', lg: 'px-4 py-3' } as const;
export type ButtonSize = keyof typeof sizes;

export function buttonClass(variant: ButtonVariant = 'primary', size: ButtonSize = 'md'): string {
  return cn(base, variants[variant], sizes[size]);
}
