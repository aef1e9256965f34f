/** A text field of a submitted form; files and missing fields are undefined. */
export function text(formData: FormData, name: string): string | undefined {
  const value = formData.get(name);
  return typeof value === 'string' ? value : undefined;
}

/** One value of a page's search params. */
export function param(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
