// IndexedDB write failures in words: the browser's storage quota is the usual one, and it
// deserves its own name (what is full, and what to do) instead of "QuotaExceededError".

/** True when `e` (a DOMException, or dexie's wrapper of one) means the storage quota is used up. */
export function isQuotaError(e: unknown): boolean {
  for (let x: unknown = e, depth = 0; x && depth < 4; depth++) {
    const name = (x as { name?: string }).name ?? '';
    if (name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED') return true;
    if (/quota/i.test((x as { message?: string }).message ?? '')) return true;
    x = (x as { inner?: unknown; cause?: unknown }).inner ?? (x as { cause?: unknown }).cause;
  }
  return false;
}

export const STORAGE_FULL = 'storage full';

/** A message for a failed write: the quota named with what to do, or the error's own words. */
export function storageErrorMessage(e: unknown): string {
  if (isQuotaError(e))
    return `${STORAGE_FULL}: the browser's storage quota for this site is used up (delete runs or datasets on the Board, or free disk space)`;
  return e instanceof Error ? e.message : String(e);
}
