import type { Metadata } from 'next';
import { LinkNotFound } from '@/components/connect/link-states';

export const metadata: Metadata = { title: 'Sign-in not valid — Mailport', robots: { index: false } };

/** A provider response whose state names no connect token (mangled or forged): nothing to go back to. */
export default function OAuthInvalidPage() {
  return <LinkNotFound />;
}
