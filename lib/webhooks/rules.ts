/**
 * Which messages a webhook receives (spec §15): pure functions over a message's
 * stored fields, so the matching is tested without a database or a mail server.
 */

export interface Address {
  email: string;
  name: string;
}

/** What the filters look at; built from a stored message row. */
export interface MessageFacts {
  from: Address[];
  to: Address[];
  cc: Address[];
  subject: string;
  fileNames: string[];
  folder: string;
  isDraft: boolean;
  /** Our thread id and Gmail's, when known. */
  threadIds: string[];
  /** The Message-IDs of the stored messages of its thread, this one included (filter_thread by email_message_id). */
  threadMessageIds: string[];
}

export interface WebhookRules {
  filterTo: string;
  filterFrom: string;
  filterCc: string;
  filterSubject: string;
  filterThread: string;
  filterFileName: string;
  filterFolderAdded: string;
  filterToDomain: string;
  filterFromDomain: string;
  receiveDrafts: boolean;
}

/** Text a pattern is tried on is cut here: a developer's regular expression must not run on megabytes. */
const MAX_MATCHED_LENGTH = 2000;

export type FilterPattern = (text: string) => boolean;

/**
 * A filter value as a predicate: `/source/flags` is a regular expression
 * (Context.IO's convention), anything else matches case-insensitively anywhere.
 * Null when the regular expression does not compile.
 */
export function parseFilterPattern(value: string): FilterPattern | null {
  const regex = /^\/(.+)\/([imsu]*)$/s.exec(value);
  if (regex) {
    try {
      const compiled = new RegExp(regex[1] ?? '', regex[2]);
      return (text) => compiled.test(text.slice(0, MAX_MATCHED_LENGTH));
    } catch {
      return null;
    }
  }
  const needle = value.toLowerCase();
  return (text) => text.slice(0, MAX_MATCHED_LENGTH).toLowerCase().includes(needle);
}

const addressTexts = (list: Address[]) =>
  list.flatMap((address) => [address.email, address.name, address.name ? `${address.name} <${address.email}>` : '']);
const domainOf = (email: string) => email.slice(email.lastIndexOf('@') + 1);

/** One filter: empty matches everything; otherwise some candidate must match. */
function matches(filter: string, candidates: string[]): boolean {
  if (!filter) return true;
  const pattern = parseFilterPattern(filter);
  return pattern !== null && candidates.some((candidate) => candidate !== '' && pattern(candidate));
}

/** A domain filter: an exact domain (any case), or a /regex/ on the domain. */
function matchesDomain(filter: string, addresses: Address[]): boolean {
  if (!filter) return true;
  const domains = addresses.map((address) => domainOf(address.email).toLowerCase());
  if (filter.startsWith('/')) return matches(filter, domains);
  return domains.includes(filter.toLowerCase().replace(/^@/, ''));
}

/** Whether a new message goes to the webhook: every given filter matches (they are ANDed). */
export function isMessageForWebhook(rules: WebhookRules, message: MessageFacts): boolean {
  if (message.isDraft && !rules.receiveDrafts) return false;
  return (
    matches(rules.filterTo, addressTexts(message.to)) &&
    matches(rules.filterFrom, addressTexts(message.from)) &&
    matches(rules.filterCc, addressTexts(message.cc)) &&
    matches(rules.filterSubject, [message.subject]) &&
    matches(rules.filterFileName, message.fileNames) &&
    matchesDomain(rules.filterToDomain, message.to) &&
    matchesDomain(rules.filterFromDomain, message.from) &&
    (!rules.filterFolderAdded || rules.filterFolderAdded === message.folder) &&
    (!rules.filterThread ||
      message.threadIds.includes(rules.filterThread) ||
      message.threadMessageIds.includes(rules.filterThread))
  );
}
