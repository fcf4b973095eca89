// Keyboard and pointer behaviour of a dropdown menu, as an attachment:
// {@attach menuBehaviour(() => (open = false))}. The first item takes focus, arrow keys
// move between enabled items, Escape closes, a pointer down outside the menu's wrapper closes.
export function menuBehaviour(close: () => void): (el: HTMLElement) => () => void {
  return (el) => {
    el.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
    const key = (e: KeyboardEvent) => {
      const list = [...el.querySelectorAll<HTMLElement>('[role="menuitem"]:not(:disabled)')];
      const i = list.indexOf(document.activeElement as HTMLElement);
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        list[(i + (e.key === 'ArrowDown' ? 1 : -1) + list.length) % list.length]?.focus();
      } else if (e.key === 'Escape') {
        e.stopPropagation();
        close();
      }
    };
    const outside = (e: PointerEvent) => {
      if (!el.parentElement?.contains(e.target as Node)) close();
    };
    el.addEventListener('keydown', key);
    window.addEventListener('pointerdown', outside);
    return () => {
      el.removeEventListener('keydown', key);
      window.removeEventListener('pointerdown', outside);
    };
  };
}
