// A dexie liveQuery observable as a reactive value (`.current`), wrapped once. It
// subscribes while something reads it inside an effect or template and unsubscribes
// when nothing does (createSubscriber), so there is no leaked subscription; until the
// first result arrives `.current` is the given initial value.
import { createSubscriber } from 'svelte/reactivity';

export interface Subscribable<T> {
  subscribe(observer: { next: (value: T) => void; error?: (error: unknown) => void }): { unsubscribe(): void };
}

export class LiveValue<T> {
  #value: T;
  #error: unknown = null;
  #subscribe: () => void;

  constructor(source: Subscribable<T>, initial: T) {
    this.#value = initial;
    this.#subscribe = createSubscriber((update) => {
      const sub = source.subscribe({
        next: (value) => {
          this.#value = value;
          this.#error = null;
          update();
        },
        error: (error) => {
          this.#error = error;
          update();
        },
      });
      return () => sub.unsubscribe();
    });
  }

  get current(): T {
    this.#subscribe();
    return this.#value;
  }

  /** The last error of the query, or null. */
  get error(): unknown {
    this.#subscribe();
    return this.#error;
  }
}
