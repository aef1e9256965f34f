'use client';

import { useEffect } from 'react';
import type { PopupMessage } from '@/lib/connect-flow/exits';

/**
 * The popup's last act: post the outcome to the page that opened it, at the
 * one origin it may go to (callback_url's; the browser drops it for any other
 * opener), then close. Opened without connect.js there is no opener: the page
 * around it shows a link instead.
 */
export function PopupNotifier({ message, targetOrigin }: { message: PopupMessage; targetOrigin: string }) {
  useEffect(() => {
    if (!window.opener) return;
    window.opener.postMessage(message, targetOrigin);
    window.close();
  }, [message, targetOrigin]);
  return null;
}
