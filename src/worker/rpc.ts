// Request/reply over postMessage, shared by the engine and data workers: a request is
// `{ type, id, ...body }`, its reply `{ type: 'reply', requestId, ok, result | error }`.
// The worker side checks the envelope, dispatches and replies (a thrown Error becomes
// `error`); the client side numbers requests and settles each promise with its reply.

export type Reply<R> =
  | { type: 'reply'; requestId: number; ok: true; result: R }
  | { type: 'reply'; requestId: number; ok: false; error: string };

/** What is wrong with an incoming message's envelope, or null for a request of a known type. */
export function envelopeProblem(msg: unknown, types: readonly string[]): string | null {
  if (msg === null || typeof msg !== 'object')
    return `expected a request object, got ${msg === null ? 'null' : typeof msg}`;
  const m = msg as { type?: unknown; id?: unknown };
  if (typeof m.id !== 'number' || !Number.isInteger(m.id))
    return `request has no integer id (type ${JSON.stringify(m.type)})`;
  if (typeof m.type !== 'string' || !types.includes(m.type))
    return `unknown message type ${JSON.stringify(m.type)} (known: ${types.join(', ')})`;
  return null;
}

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * Worker side: answers one incoming message. A bad envelope is refused at once; a request
 * is dispatched and its result (with `transfer(result)` as the transfer list) or error
 * posted as its reply. Never throws.
 */
export function answer<Req extends { id: number; type: string }, R>(
  msg: unknown,
  types: readonly Req['type'][],
  dispatch: (request: Req) => Promise<R>,
  post: (reply: Reply<R>, transfer: Transferable[]) => void,
  transfer: (result: R) => Transferable[] = () => [],
): void {
  const problem = envelopeProblem(msg, types);
  if (problem) {
    const id = (msg as { id?: unknown } | null)?.id;
    post({ type: 'reply', requestId: typeof id === 'number' ? id : -1, ok: false, error: problem }, []);
    return;
  }
  const r = msg as Req;
  let reply: Promise<R>;
  try {
    reply = dispatch(r);
  } catch (err) {
    reply = Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
  reply.then(
    (result) => post({ type: 'reply', requestId: r.id, ok: true, result }, transfer(result)),
    (err: unknown) => post({ type: 'reply', requestId: r.id, ok: false, error: messageOf(err) }, []),
  );
}

interface Pending<X> {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  extra: X | undefined;
}

/** Client side: numbered requests waiting for their replies; `X` is what a caller keeps with one (a progress callback). */
export class PendingRequests<X = never> {
  private nextId = 1;
  private readonly pending = new Map<number, Pending<X>>();

  /** Sends a request built for a fresh id; resolves with its reply's result. */
  send<R>(post: (id: number) => void, extra?: X): Promise<R> {
    const id = this.nextId++;
    return new Promise<R>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, extra });
      try {
        post(id);
      } catch (err) {
        this.pending.delete(id);
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  /** What the caller kept with request `id`, while it waits. */
  extra(id: number): X | undefined {
    return this.pending.get(id)?.extra;
  }

  /** Settles the request a reply answers (a reply nobody waits for is dropped). */
  settle(reply: Reply<unknown>): void {
    const p = this.pending.get(reply.requestId);
    if (!p) return;
    this.pending.delete(reply.requestId);
    if (reply.ok) p.resolve(reply.result);
    else p.reject(new Error(reply.error));
  }

  /** Rejects every waiting request (the worker died). */
  failAll(message: string): void {
    for (const p of this.pending.values()) p.reject(new Error(message));
    this.pending.clear();
  }
}
