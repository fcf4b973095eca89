// Pinned and enlarged cards of the card dashboards (Scalars, Histograms, Distributions,
// Images). Pins are kept per dashboard in localStorage, as TensorBoard keeps its pinned
// cards: a reload or another tab of this board shows them pinned. Enlarging is one
// card at a time and lasts until restored (button or Escape).

export type CardDashboard = 'scalars' | 'histograms' | 'distributions' | 'images';
type Pins = Record<CardDashboard, string[]>;

const STORAGE_KEY = 'layerboard.board.pinnedCards';
const EMPTY: Pins = { scalars: [], histograms: [], distributions: [], images: [] };

/** Pins read from storage; anything malformed is ignored, never thrown. */
export function readPins(text: string | null): Pins {
  const pins: Pins = { ...EMPTY };
  if (!text) return pins;
  try {
    const raw: unknown = JSON.parse(text);
    if (raw === null || typeof raw !== 'object') return pins;
    for (const dash of Object.keys(EMPTY) as CardDashboard[]) {
      const list = (raw as Record<string, unknown>)[dash];
      if (Array.isArray(list)) pins[dash] = [...new Set(list.filter((k): k is string => typeof k === 'string'))];
    }
  } catch {
    /* a damaged entry: start without pins */
  }
  return pins;
}

/** Items split into the pinned ones (in the order they were pinned) and the rest (in their order). */
export function splitPinned<T>(items: T[], keyOf: (item: T) => string, pinned: string[]): { pinned: T[]; rest: T[] } {
  const byKey = new Map(items.map((item) => [keyOf(item), item]));
  const isPinned = new Set(pinned);
  return {
    pinned: pinned.flatMap((k) => (byKey.has(k) ? [byKey.get(k)!] : [])),
    rest: items.filter((item) => !isPinned.has(keyOf(item))),
  };
}

export class CardLayout {
  pins = $state<Pins>({ ...EMPTY });
  /** `dashboard:key` of the enlarged card, or null. */
  enlarged = $state<string | null>(null);
  readonly #storage: Storage | null;

  constructor(storage: Storage | null) {
    this.#storage = storage;
    this.pins = readPins(storage?.getItem(STORAGE_KEY) ?? null);
  }

  isPinned(dash: CardDashboard, key: string): boolean {
    return this.pins[dash].includes(key);
  }

  togglePin(dash: CardDashboard, key: string): void {
    const list = this.pins[dash];
    this.pins[dash] = list.includes(key) ? list.filter((k) => k !== key) : [...list, key];
    this.#storage?.setItem(STORAGE_KEY, JSON.stringify(this.pins));
  }

  isEnlarged(dash: CardDashboard, key: string): boolean {
    return this.enlarged === `${dash}:${key}`;
  }

  toggleEnlarge(dash: CardDashboard, key: string): void {
    this.enlarged = this.isEnlarged(dash, key) ? null : `${dash}:${key}`;
  }
}

/** One card of a per-run dashboard (Histograms, Distributions, Images): a tag of one run. */
export interface RunCard<T> {
  key: string;
  tag: string;
  runId: string;
  points: T;
}

/** The cards of the given tags for the given runs (tags in order, then runs in order). */
export function runCards<T>(tags: [string, Map<string, T>][], runs: readonly { id: string }[]): RunCard<T>[] {
  return tags.flatMap(([tag, byRun]) =>
    runs.flatMap((r) => {
      const points = byRun.get(r.id);
      return points === undefined ? [] : [{ key: JSON.stringify([tag, r.id]), tag, runId: r.id, points }];
    }),
  );
}
