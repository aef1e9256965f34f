/**
 * Tenant scope proven by a type (rallly's pattern). Only a data function that
 * looked a row up by the request's developer id brands it, so a function that
 * takes `Owned<…>` cannot be handed a bare id from a URL: a missing ownership
 * check does not compile. The brand exists only in types; `developerId` is the
 * owner the lookup was scoped by, kept so writes need not ask again.
 */
declare const owned: unique symbol;

export type Owned<Row> = Row & { readonly [owned]: true; readonly developerId: string };

/** For scoped lookups only (lib/<domain>/data.ts): the row was read under `developerId`. */
export function brandOwned<Row extends object>(row: Row, developerId: string): Owned<Row> {
  return { ...row, developerId } as Owned<Row>;
}
