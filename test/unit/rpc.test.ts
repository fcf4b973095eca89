// The request/reply helper both workers use: envelopes checked, replies matched by id,
// thrown errors turned into error replies, transfer lists from the result.
import { expect, test } from 'vitest';
import { answer, envelopeProblem, PendingRequests, type Reply } from '../../src/worker/rpc.ts';

type Req = { type: 'add'; id: number; a: number; b: number } | { type: 'fail'; id: number };

test('envelopeProblem names what is wrong', () => {
  expect(envelopeProblem({ type: 'add', id: 1 }, ['add'])).toBeNull();
  expect(envelopeProblem({ type: 'mul', id: 1 }, ['add', 'fail'])).toBe(
    'unknown message type "mul" (known: add, fail)',
  );
  expect(envelopeProblem({ type: 'add', id: 1.5 }, ['add'])).toBe('request has no integer id (type "add")');
  expect(envelopeProblem(null, ['add'])).toBe('expected a request object, got null');
});

test('answer replies with the result, the error, or the envelope problem, and never throws', async () => {
  const replies: [Reply<number>, Transferable[]][] = [];
  const post = (r: Reply<number>, t: Transferable[]) => replies.push([r, t]);
  const buffer = new ArrayBuffer(4);
  const dispatch = (r: Req): Promise<number> => {
    if (r.type === 'fail') throw new Error('no such thing');
    return Promise.resolve(r.a + r.b);
  };
  answer<Req, number>({ type: 'add', id: 7, a: 2, b: 3 }, ['add', 'fail'], dispatch, post, () => [buffer]);
  answer<Req, number>({ type: 'fail', id: 8 }, ['add', 'fail'], dispatch, post);
  answer<Req, number>({ type: 'nope', id: 9 }, ['add', 'fail'], dispatch, post);
  await new Promise((r) => setTimeout(r, 0));
  expect(replies).toContainEqual([{ type: 'reply', requestId: 7, ok: true, result: 5 }, [buffer]]);
  expect(replies).toContainEqual([{ type: 'reply', requestId: 8, ok: false, error: 'no such thing' }, []]);
  expect(replies).toContainEqual([
    { type: 'reply', requestId: 9, ok: false, error: 'unknown message type "nope" (known: add, fail)' },
    [],
  ]);
});

test('PendingRequests numbers requests, settles each with its own reply, keeps extras and fails all at once', async () => {
  const p = new PendingRequests<string>();
  const ids: number[] = [];
  const a = p.send<number>((id) => ids.push(id), 'progress-a');
  const b = p.send<number>((id) => ids.push(id));
  expect(ids).toEqual([1, 2]);
  expect(p.extra(1)).toBe('progress-a');
  p.settle({ type: 'reply', requestId: 2, ok: false, error: 'bad' });
  p.settle({ type: 'reply', requestId: 1, ok: true, result: 42 });
  p.settle({ type: 'reply', requestId: 1, ok: true, result: 43 }); // nobody waits: dropped
  await expect(a).resolves.toBe(42);
  await expect(b).rejects.toThrow('bad');
  const c = p.send<number>(() => {});
  p.failAll('worker crashed');
  await expect(c).rejects.toThrow('worker crashed');
  await expect(
    p.send(() => {
      throw new Error('cannot post');
    }),
  ).rejects.toThrow('cannot post');
});
