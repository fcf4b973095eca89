// Run colours that stay put: a run keeps the colour it first got on this board, so
// importing an older run (or deleting one) never recolours the others. New runs take
// the first colour no present run holds, oldest new run first. Kept in localStorage.
export interface ColorStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

const KEY = 'layerboard.runColors';

export class RunColors {
  readonly #palette: readonly string[];
  readonly #store: ColorStore | null;
  #index = new Map<string, number>();

  constructor(palette: readonly string[], store: ColorStore | null) {
    this.#palette = palette;
    this.#store = store;
    try {
      const saved = JSON.parse(store?.getItem(KEY) ?? '{}') as Record<string, unknown>;
      for (const [id, i] of Object.entries(saved))
        if (Number.isInteger(i) && (i as number) >= 0) this.#index.set(id, i as number);
    } catch {
      /* a damaged entry: colours are assigned afresh */
    }
  }

  /** Colours of `runs` (any order); runs seen for the first time get theirs now. */
  assign(runs: readonly { id: string; created: number }[]): Map<string, string> {
    const present = new Set(runs.map((r) => r.id));
    for (const id of [...this.#index.keys()]) if (!present.has(id)) this.#index.delete(id);
    const taken = new Set(this.#index.values());
    const fresh = runs
      .filter((r) => !this.#index.has(r.id))
      .sort((a, b) => a.created - b.created || a.id.localeCompare(b.id));
    let next = 0;
    for (const r of fresh) {
      // Past the palette's end colours repeat, in the same order.
      while (taken.has(next)) next++;
      this.#index.set(r.id, next);
      taken.add(next);
    }
    if (fresh.length) this.#save();
    return new Map(runs.map((r) => [r.id, this.#palette[this.#index.get(r.id)! % this.#palette.length]]));
  }

  #save(): void {
    try {
      this.#store?.setItem(KEY, JSON.stringify(Object.fromEntries(this.#index)));
    } catch {
      /* storage full or blocked: colours hold for this page */
    }
  }
}
