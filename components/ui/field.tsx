/**
 * The look of a labelled form control, and its error tied to it by id, so a
 * screen reader reads the message with the field (`aria-describedby="<name>-error"`).
 */

export const inputClass =
  'mt-1 block w-full min-w-0 rounded-md border border-slate-400 bg-white px-3 py-2 text-base text-slate-900 focus:border-indigo-700 focus:outline focus:outline-2 focus:outline-indigo-700 aria-[invalid=true]:border-red-700 dark:border-slate-500 dark:bg-slate-950 dark:text-slate-100 dark:aria-[invalid=true]:border-red-400';
export const labelClass = 'block text-sm font-medium text-slate-900 dark:text-slate-100';

export function FieldError({ name, error }: { name: string; error?: string }) {
  if (!error) return null;
  return (
    <p id={`${name}-error`} className="mt-1 text-sm text-red-800 dark:text-red-300">
      {error}
    </p>
  );
}
