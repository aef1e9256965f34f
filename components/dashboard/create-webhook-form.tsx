'use client';

import { useActionState } from 'react';
import { ErrorSummary } from '@/components/ui/error-summary';
import { SubmitButton } from '@/components/ui/submit-button';
import { type FormState, TextField } from './fields';

const FLAGS = [
  { name: 'include_body', label: 'Include the message body' },
  { name: 'include_header', label: 'Include the message headers' },
  { name: 'receive_drafts', label: 'Also deliver drafts' },
  { name: 'receive_all_changes', label: 'Name the event in each delivery' },
] as const;

const FILTERS = [
  { name: 'filter_from', label: 'From contains' },
  { name: 'filter_to', label: 'To contains' },
  { name: 'filter_subject', label: 'Subject contains' },
  { name: 'filter_from_domain', label: 'From domain' },
  { name: 'filter_folder_added', label: 'Folder' },
  { name: 'filter_file_name', label: 'Attachment name contains' },
] as const;

/**
 * The dashboard's POST …/webhooks: the API's fields, parsed by the same schema on
 * the server, so the messages are the API's. A server action: works without JavaScript.
 */
export function CreateWebhookForm({
  action,
  csrf,
  accountId,
}: {
  action: (state: FormState, formData: FormData) => Promise<FormState>;
  csrf: string;
  accountId?: string;
}) {
  const [state, formAction] = useActionState(action, {});
  return (
    <form action={formAction} className="max-w-2xl space-y-5" aria-label="New webhook">
      {state.error && <ErrorSummary message={state.error} />}
      <input type="hidden" name="csrf" value={csrf} />
      {accountId && <input type="hidden" name="account" value={accountId} />}
      <TextField
        name="callback_url"
        label="Callback URL"
        hint="Each new matching message is POSTed here, signed with your API secret."
        type="url"
        required
        state={state}
      />
      <TextField
        name="failure_notif_url"
        label="Failure notification URL"
        hint="Told when a delivery is given up after its retries."
        type="url"
        optional
        state={state}
      />
      <div className="grid gap-5 sm:grid-cols-2">
        {FILTERS.map((filter) => (
          <TextField
            key={filter.name}
            name={filter.name}
            label={filter.label}
            hint="Text, or /regex/."
            optional
            state={state}
          />
        ))}
      </div>
      <fieldset className="space-y-2">
        <legend className="text-sm font-medium text-slate-900">Options</legend>
        {FLAGS.map((flag) => (
          <div key={flag.name} className="flex items-center gap-2">
            <input
              id={flag.name}
              name={flag.name}
              type="checkbox"
              value="1"
              defaultChecked={state.values?.[flag.name] === '1'}
              className="h-4 w-4"
            />
            <label htmlFor={flag.name} className="text-sm text-slate-900">
              {flag.label}
            </label>
          </div>
        ))}
      </fieldset>
      <SubmitButton pendingText="Creating…">Create webhook</SubmitButton>
    </form>
  );
}
