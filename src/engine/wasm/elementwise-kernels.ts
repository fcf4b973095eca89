// WASM elementwise kernels over a range [lo, hi) of elements, the reference rules of
// src/engine/kernels/elementwise.ts: f32x4.max keeps NaN and maps −0 to +0 as torch.relu;
// the ReLU gradient masks b where a ≤ 0 (a NaN passes it); add is one float32 add.
import {
  add,
  fadd,
  fle,
  fmax,
  f32c,
  I32,
  ld32f,
  ld32i,
  le,
  lt,
  select,
  shl,
  st32f,
  vadd,
  vandnot,
  vle,
  vld,
  vmax,
  vst,
  vzero,
  type Expr,
  type FuncBuilder,
  type Local,
  type ModuleBuilder,
} from './asm.ts';

/** Word indices of the elementwise parameter block: operand and result addresses. */
export const EW = { A: 0, B: 1, Y: 2 } as const;

export const EW_TASKS = { relu: 'ew_relu', reluBackward: 'ew_relu_bwd', add: 'ew_add' } as const;

/** fn(params, lo, hi): y[i] = op(a[i], b[i]) for i in [lo, hi); 4 lanes at a time, then the tail. */
function emit(
  m: ModuleBuilder,
  name: string,
  vec: (pa: Local, pb: Local) => Expr,
  one: (pa: Local, pb: Local) => Expr,
): void {
  m.func(name, [I32, I32, I32, I32, I32, I32], [], (f: FuncBuilder, [prm, lo, hi]) => {
    const A = f.local(),
      B = f.local(),
      Y = f.local(),
      i = f.local(),
      pa = f.local(),
      pb = f.local();
    f.set(A, ld32i(prm, 4 * EW.A));
    f.set(B, ld32i(prm, 4 * EW.B));
    f.set(Y, ld32i(prm, 4 * EW.Y));
    f.set(i, lo);
    const at = () => {
      f.set(pa, add(A, shl(i, 2)));
      f.set(pb, add(B, shl(i, 2)));
    };
    f.while(
      () => le(add(i, 4), hi),
      () => {
        at();
        f.do(vst(add(Y, shl(i, 2)), vec(pa, pb)));
        f.set(i, add(i, 4));
      },
    );
    f.while(
      () => lt(i, hi),
      () => {
        at();
        f.do(st32f(add(Y, shl(i, 2)), one(pa, pb)));
        f.set(i, add(i, 1));
      },
    );
  });
}

export function emitElementwise(m: ModuleBuilder): void {
  emit(
    m,
    EW_TASKS.relu,
    (pa) => vmax(vld(pa), vzero()),
    (pa) => fmax(ld32f(pa), f32c(0)),
  );
  emit(
    m,
    EW_TASKS.reluBackward,
    (pa, pb) => vandnot(vld(pb), vle(vld(pa), vzero())),
    (pa, pb) => select(f32c(0), ld32f(pb), fle(ld32f(pa), f32c(0))),
  );
  emit(
    m,
    EW_TASKS.add,
    (pa, pb) => vadd(vld(pa), vld(pb)),
    (pa, pb) => fadd(ld32f(pa), ld32f(pb)),
  );
}
