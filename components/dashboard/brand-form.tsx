'use client';

import { useActionState } from 'react';
import { ErrorSummary } from '@/components/ui/error-summary';
import { FieldError, inputClass, labelClass } from '@/components/ui/field';
import { Notice } from '@/components/ui/notice';
import { SubmitButton } from '@/components/ui/submit-button';
import type { FormState } from './fields';

/** The partner's look on the connect pages: accent colour, theme and logo (lib/brands). */
export function BrandForm({
  action,
  csrf,
  accentColor,
  theme,
  logoUrl,
  minContrast,
  maxLogoKb,
}: {
  action: (state: FormState, formData: FormData) => Promise<FormState>;
  csrf: string;
  accentColor: string;
  theme: string;
  logoUrl: string;
  minContrast: number;
  maxLogoKb: number;
}) {
  const [state, formAction] = useActionState(action, {});
  const accentError = state.fieldErrors?.accent_color;
  const logoError = state.fieldErrors?.logo;
  return (
    <form action={formAction} className="max-w-2xl space-y-5">
      {state.error && <ErrorSummary message={state.error} />}
      {state.values?.saved && <Notice>Brand saved.</Notice>}
      <input type="hidden" name="csrf" value={csrf} />
      <div>
        <label htmlFor="accent_color" className={labelClass}>
          Accent colour <span className="font-normal text-slate-600">(optional)</span>
        </label>
        <p id="accent_color-hint" className="mt-1 text-sm text-slate-600">
          #rrggbb, used for buttons and focus rings. It needs a contrast of at least {minContrast}:1 against the theme’s
          background (white, or #0f172a for dark) so everyone can read it. Empty uses Mailport’s.
        </p>
        <input
          id="accent_color"
          name="accent_color"
          defaultValue={state.values?.accent_color ?? accentColor}
          placeholder="#1d4ed8"
          maxLength={7}
          aria-invalid={accentError ? true : undefined}
          aria-describedby={`accent_color-hint${accentError ? ' accent_color-error' : ''}`}
          className={`${inputClass} max-w-40 font-mono`}
        />
        <FieldError name="accent_color" error={accentError} />
      </div>
      <div>
        <label htmlFor="theme" className={labelClass}>
          Theme
        </label>
        <select
          id="theme"
          name="theme"
          defaultValue={state.values?.theme ?? theme}
          className={`${inputClass} max-w-60`}
        >
          <option value="system">System (follows the user’s device)</option>
          <option value="light">Light</option>
          <option value="dark">Dark</option>
        </select>
      </div>
      <div>
        <label htmlFor="logo" className={labelClass}>
          Logo <span className="font-normal text-slate-600">(optional)</span>
        </label>
        <p id="logo-hint" className="mt-1 text-sm text-slate-600">
          PNG, JPEG or WebP, at most {maxLogoKb} KB, shown about 40 pixels high. SVG is not accepted.
        </p>
        {logoUrl && (
          // biome-ignore lint/performance/noImgElement: our own small logo route; next/image would only proxy it.
          <img src={logoUrl} alt="Current logo" className="mt-2 h-10 w-auto" />
        )}
        <input
          id="logo"
          name="logo"
          type="file"
          accept="image/png,image/jpeg,image/webp"
          aria-invalid={logoError ? true : undefined}
          aria-describedby={`logo-hint${logoError ? ' logo-error' : ''}`}
          className="mt-1 block text-sm"
        />
        <FieldError name="logo" error={logoError} />
        {logoUrl && (
          <label className="mt-2 flex items-center gap-2 text-sm text-slate-800">
            <input type="checkbox" name="removeLogo" value="1" /> Remove the logo
          </label>
        )}
      </div>
      <SubmitButton pendingText="Saving…">Save brand</SubmitButton>
    </form>
  );
}
