// Keyboard helpers: whether a key press belongs to a text field or an open dialog.

export function isTyping(e: KeyboardEvent): boolean {
  const t = e.target as HTMLElement | null;
  if (!t) return false;
  if (t.isContentEditable) return true;
  if (t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement) return true;
  if (t instanceof HTMLInputElement)
    return !['checkbox', 'radio', 'button', 'submit', 'range', 'color', 'file'].includes(t.type);
  return false;
}

export function dialogOpen(): boolean {
  return document.querySelector('dialog[open]') !== null;
}

/** Ctrl on Linux/Windows, Cmd on macOS. */
export function mod(e: KeyboardEvent): boolean {
  return e.ctrlKey || e.metaKey;
}
