// Light/dark theme: the user's choice (remembered), else the system's preference.
const KEY = 'layerboard.theme';
export type ThemeName = 'light' | 'dark';

export class ThemeState {
  #name = $state<ThemeName>('light');

  constructor() {
    const saved = localStorage.getItem(KEY);
    const system = window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
    this.#apply(saved === 'dark' || saved === 'light' ? saved : system);
  }

  get name(): ThemeName {
    return this.#name;
  }

  set name(value: ThemeName) {
    localStorage.setItem(KEY, value);
    this.#apply(value);
  }

  toggle(): void {
    this.name = this.#name === 'dark' ? 'light' : 'dark';
  }

  #apply(value: ThemeName): void {
    this.#name = value;
    document.documentElement.dataset.theme = value;
  }
}
