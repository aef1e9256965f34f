import type { Db } from '@/lib/db/client';
import { type BrandTheme, LOGO_ID_PATTERN, type LogoType } from './schema';

export interface Brand {
  appName: string;
  accentColor: string;
  theme: BrandTheme;
  logoId: string | null;
}

/** A developer's brand (the defaults when none is saved). */
export async function findBrand(db: Db, developerId: string): Promise<Brand> {
  const row = await db.developer.findUniqueOrThrow({
    where: { id: developerId },
    select: { appName: true, brand: { select: { accentColor: true, theme: true, logoId: true } } },
  });
  return {
    appName: row.appName,
    accentColor: row.brand?.accentColor ?? '',
    theme: row.brand?.theme ?? 'system',
    logoId: row.brand?.logoId ?? null,
  };
}

/** A logo by its public id, for GET /brand-logos/:id; anything but a well-formed id reads nothing. */
export async function findLogo(db: Db, logoId: string): Promise<{ bytes: Uint8Array; type: LogoType } | null> {
  if (!LOGO_ID_PATTERN.test(logoId)) return null;
  const row = await db.developerBrand.findUnique({ where: { logoId }, select: { logo: true, logoType: true } });
  if (!row?.logo || !row.logoType) return null;
  return { bytes: new Uint8Array(row.logo), type: row.logoType as LogoType };
}
