// Which other tabs of this app have the same project open, over a BroadcastChannel: a tab
// announces the project it opens, tabs with that project answer, and each save is
// announced so the others know their copy is now behind. The stored version check in
// ProjectRepository.save is what actually prevents an overwrite; this only tells sooner.

export type PresenceMessage =
  | { kind: 'opened' | 'here' | 'closed'; project: string; tab: string }
  | { kind: 'saved'; project: string; tab: string; version: number };

export interface PresenceEvents {
  /** Another tab has `project` open (it just opened it, or answered our announcement). */
  peer(project: string, tab: string): void;
  /** Another tab no longer has `project` open. */
  left(project: string, tab: string): void;
  /** Another tab saved `project` as `version`. */
  saved(project: string, tab: string, version: number): void;
}

const CHANNEL = 'layerboard-projects';

export class TabPresence {
  readonly tab = crypto.randomUUID();
  readonly #channel: BroadcastChannel | null;
  #project: string | null = null;

  constructor(events: PresenceEvents) {
    this.#channel = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(CHANNEL);
    this.#channel?.addEventListener('message', (e: MessageEvent<PresenceMessage>) => {
      const m = e.data;
      if (!m || m.tab === this.tab || m.project !== this.#project) return;
      if (m.kind === 'opened') {
        this.#post({ kind: 'here', project: m.project, tab: this.tab });
        events.peer(m.project, m.tab);
      } else if (m.kind === 'here') events.peer(m.project, m.tab);
      else if (m.kind === 'closed') events.left(m.project, m.tab);
      else if (m.kind === 'saved') events.saved(m.project, m.tab, m.version);
    });
  }

  /** This tab now shows `project` (null: none). */
  open(project: string | null): void {
    if (this.#project && this.#project !== project)
      this.#post({ kind: 'closed', project: this.#project, tab: this.tab });
    this.#project = project;
    if (project) this.#post({ kind: 'opened', project, tab: this.tab });
  }

  saved(project: string, version: number): void {
    this.#post({ kind: 'saved', project, tab: this.tab, version });
  }

  /** The page is going away. */
  close(): void {
    this.open(null);
  }

  #post(m: PresenceMessage): void {
    this.#channel?.postMessage(m);
  }
}
