import type { Db } from '@/lib/db/client';
import { newRowId } from '@/lib/ids';
import { checkLogo, type UpdateBrandInput } from './schema';

/** Saves the accent colour and theme (validated by updateBrandInput, contrast included). */
export async function updateBrand(db: Db, developerId: string, input: UpdateBrandInput, now: Date): Promise<void> {
  const data = { accentColor: input.accent_color, theme: input.theme, updatedAt: now };
  await db.developerBrand.upsert({ where: { developerId }, update: data, create: { developerId, ...data } });
}

export type SetLogoResult = { ok: true; logoId: string } | { ok: false; message: string };

/**
 * Stores an uploaded logo after checking its size and its real type (magic
 * bytes, never the file name or the browser's claim). A new id each time, so a
 * cached old logo is never shown for the new one.
 */
export async function setLogo(db: Db, developerId: string, bytes: Uint8Array, now: Date): Promise<SetLogoResult> {
  const check = checkLogo(bytes);
  if (!check.ok) return check;
  const data = { logo: new Uint8Array(bytes), logoType: check.type, logoId: newRowId(), updatedAt: now };
  await db.developerBrand.upsert({ where: { developerId }, update: data, create: { developerId, ...data } });
  return { ok: true, logoId: data.logoId };
}

export async function removeLogo(db: Db, developerId: string, now: Date): Promise<void> {
  await db.developerBrand.updateMany({
    where: { developerId },
    data: { logo: null, logoType: null, logoId: null, updatedAt: now },
  });
}
