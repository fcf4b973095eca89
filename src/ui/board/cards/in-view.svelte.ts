// Whether a card is on screen (or near it): cards off screen keep their size but draw
// nothing, so a board of many cards draws — and redraws while panning, zooming or
// receiving points — only the few the user can see.

/** One IntersectionObserver per scrolling container, a callback per watched card. */
const watched = new Map<Element, (on: boolean) => void>();
const observers = new Map<Element | null, IntersectionObserver>();

/** The nearest ancestor that scrolls (the margin below must apply to it, not the window). */
function scrollRoot(node: Element): Element | null {
  for (let el = node.parentElement; el; el = el.parentElement) {
    const y = getComputedStyle(el).overflowY;
    if (y === 'auto' || y === 'scroll') return el;
  }
  return null;
}

function observe(node: Element, onChange: (on: boolean) => void): () => void {
  const root = scrollRoot(node);
  let observer = observers.get(root);
  if (!observer) {
    observer = new IntersectionObserver(
      (entries) => {
        for (const e of entries) watched.get(e.target)?.(e.isIntersecting);
      },
      // Draw a screenful ahead, so scrolling rarely shows an empty card.
      { root, rootMargin: '100% 0px' },
    );
    observers.set(root, observer);
  }
  watched.set(node, onChange);
  observer.observe(node);
  return () => {
    watched.delete(node);
    observer.unobserve(node);
  };
}

export class InView {
  /** False until the card has been found near the visible part of its scroller. */
  visible = $state(false);

  /** An attachment (`{@attach inView.attach}`) for the card's outer element. */
  readonly attach = (node: Element) => {
    if (typeof IntersectionObserver === 'undefined') {
      this.visible = true;
      return;
    }
    return observe(node, (on) => (this.visible = on));
  };
}
