'use client';

import { useActionState } from 'react';
import { ErrorSummary } from '@/components/ui/error-summary';
import { FieldError, labelClass } from '@/components/ui/field';
import { SubmitButton } from '@/components/ui/submit-button';
import { type FormState, TextField } from './fields';

const FLAGS = [
  { name: 'source_sync_all_folders', label: 'Also sync Trash, Drafts, Junk and similar folders' },
  { name: 'source_sync_flags', label: 'Sync the Seen and Flagged flags' },
  { name: 'source_raw_file_list', label: 'List every attachment, signature images included' },
  { name: 'source_expunge_on_deleted_flag', label: 'Hide messages flagged Deleted' },
] as const;

/**
 * The dashboard's POST /2.0/connect_tokens: the same fields, parsed by the same
 * schema on the server, so the messages are the API's. A reconnect link takes
 * only the callback URL, as the API does.
 */
export function CreateTokenForm({
  action,
  csrf,
  accountId,
  sourceLabel,
}: {
  action: (state: FormState, formData: FormData) => Promise<FormState>;
  csrf: string;
  accountId?: string;
  sourceLabel?: string;
}) {
  const [state, formAction] = useActionState(action, {});
  const reconnect = sourceLabel !== undefined;
  return (
    <form action={formAction} className="max-w-2xl space-y-5">
      {state.error && <ErrorSummary message={state.error} />}
      <input type="hidden" name="csrf" value={csrf} />
      {accountId && <input type="hidden" name="account" value={accountId} />}
      {reconnect && <input type="hidden" name="source" value={sourceLabel} />}
      <TextField
        name="callback_url"
        label="Callback URL"
        hint="Where the browser goes when the mailbox is connected; contextio_token is added to its query."
        type="url"
        required
        state={state}
      />
      {!reconnect && (
        <>
          <TextField
            name="email"
            label="Email address"
            hint="Skips the first step. Give only @example.com to pick the provider and ask for the rest."
            optional
            state={state}
          />
          <div className="grid gap-5 sm:grid-cols-2">
            <TextField name="first_name" label="First name" hint="*hidden* hides the field." optional state={state} />
            <TextField name="last_name" label="Last name" hint="*hidden* hides the field." optional state={state} />
          </div>
          <details
            open={Object.keys(state.fieldErrors ?? {}).some(
              (name) => name.startsWith('source_') || name.startsWith('status_'),
            )}
            className="rounded-md border border-slate-300 bg-white p-4"
          >
            <summary className="cursor-pointer font-medium text-slate-900">Source options and callbacks</summary>
            <div className="mt-4 space-y-5">
              <TextField
                name="source_callback_url"
                label="Source callback URL"
                hint="POSTed to when the new source's first sync completes. Must be a public address."
                type="url"
                optional
                state={state}
              />
              <TextField
                name="status_callback_url"
                label="Status callback URL"
                hint="POSTed to when the source's connection status changes. Must be a public address."
                type="url"
                optional
                state={state}
              />
              <TextField
                name="source_sync_folders"
                label="Extra folders to sync"
                hint="Comma list of special folders to include, e.g. All,Trash."
                optional
                state={state}
              />
              <fieldset>
                <legend className={labelClass}>Sync options</legend>
                <div className="mt-2 space-y-2">
                  {FLAGS.map((flag) => (
                    <div key={flag.name} className="flex items-start gap-2">
                      <input
                        id={flag.name}
                        name={flag.name}
                        type="checkbox"
                        value="1"
                        defaultChecked={state.values?.[flag.name] === '1'}
                        className="mt-1 h-4 w-4"
                      />
                      <label htmlFor={flag.name} className="text-sm text-slate-900">
                        {flag.label}
                      </label>
                      <FieldError name={flag.name} error={state.fieldErrors?.[flag.name]} />
                    </div>
                  ))}
                </div>
              </fieldset>
            </div>
          </details>
        </>
      )}
      <SubmitButton pendingText="Creating…">
        {reconnect ? 'Create reconnect link' : 'Create connect token'}
      </SubmitButton>
    </form>
  );
}
