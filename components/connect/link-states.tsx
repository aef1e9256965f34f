import { ConnectFrame } from '@/components/connect/connect-frame';
import { buttonClass } from '@/components/ui/button';
import { cn } from '@/components/ui/cn';

/** The pages of a link that can no longer connect anything: unknown, expired, or already used. */

export function LinkNotFound() {
  return (
    <ConnectFrame appName="An app" title="This link does not work" showAccess={false}>
      <p className="text-slate-700">
        This connect link is not valid. It may have been mistyped, or it was deleted. Go back to the app that sent you
        here and start again.
      </p>
    </ConnectFrame>
  );
}

export function LinkExpired({ appName }: { appName: string }) {
  return (
    <ConnectFrame appName={appName} title="This link has expired" showAccess={false}>
      <p className="text-slate-700">
        Connect links work for 24 hours. Go back to {appName} and start again to get a new one.
      </p>
    </ConnectFrame>
  );
}

export function LinkUsed({ appName, returnUrl }: { appName: string; returnUrl: string }) {
  return (
    <ConnectFrame appName={appName} title="Your mailbox is connected" showAccess={false}>
      <p className="text-slate-700">This link has already been used: the mailbox is connected to {appName}.</p>
      <a href={returnUrl} className={cn(buttonClass('primary', 'lg'), 'mt-6')}>
        Continue to {appName}
      </a>
    </ConnectFrame>
  );
}
