// A small WebAssembly binary assembler: enough of the core and SIMD instruction sets to
// write the engine's kernels in TypeScript and emit the module at run time (no toolchain,
// nothing fetched). Expressions are byte arrays that leave values on the stack; statements
// go into a FuncBuilder. Numbers passed where an expression is expected become i32.const.
//
//   const m = new ModuleBuilder({ shared: true, minPages: 16, maxPages: 1024 });
//   m.func('axpy', [I32, I32, I32, F32], [], (f, [x, y, n, a]) => {
//     const i = f.local(I32);
//     f.for(i, 0, n, 1, () => f.do(st32f(add(y, shl(i, 2)), fadd(ld32f(add(y, shl(i, 2))), fmul(a, ld32f(add(x, shl(i, 2))))))));
//   });
//   const bytes = m.bytes();

export const I32 = 0x7f,
  F32 = 0x7d,
  F64 = 0x7c,
  V128 = 0x7b;
export type ValType = typeof I32 | typeof F32 | typeof F64 | typeof V128;

export interface Local {
  readonly kind: 'local';
  readonly idx: number;
  readonly type: ValType;
}
export type Expr = number[];
export type Val = Expr | Local | number;

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

export function sleb(n: number): number[] {
  const out: number[] = [];
  n |= 0;
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

function str(s: string): number[] {
  const b = [...new TextEncoder().encode(s)];
  return [...uleb(b.length), ...b];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

/** An expression's bytes: locals become local.get, numbers i32.const. */
export function ex(v: Val): Expr {
  if (typeof v === 'number') return [0x41, ...sleb(v)];
  if (Array.isArray(v)) return v;
  return [0x20, ...uleb(v.idx)];
}

const bin =
  (op: number) =>
  (a: Val, b: Val): Expr => [...ex(a), ...ex(b), op];
const un =
  (op: number) =>
  (a: Val): Expr => [...ex(a), op];
const simd = (op: number): number[] => [0xfd, ...uleb(op)];
const vbin =
  (op: number) =>
  (a: Val, b: Val): Expr => [...ex(a), ...ex(b), ...simd(op)];

// i32 arithmetic and comparisons (signed unless named _u)
export const add = bin(0x6a),
  sub = bin(0x6b),
  mul = bin(0x6c),
  divs = bin(0x6d),
  divu = bin(0x6e),
  rems = bin(0x6f);
export const and = bin(0x71),
  or = bin(0x72),
  shl = bin(0x74),
  shrs = bin(0x75),
  shru = bin(0x76);
export const eq = bin(0x46),
  ne = bin(0x47),
  lt = bin(0x48),
  gt = bin(0x4a),
  le = bin(0x4c),
  ge = bin(0x4e);
export const ltu = bin(0x49),
  geu = bin(0x4f);
export const eqz = un(0x45);
// f32 scalar
export const fadd = bin(0x92),
  fsub = bin(0x93),
  fmul = bin(0x94),
  fdiv = bin(0x95),
  fmin = bin(0x96),
  fmax = bin(0x97);
export const fgt = bin(0x5e),
  fle = bin(0x5f),
  fne = bin(0x5c),
  feq = bin(0x5b);
// f64 scalar (reductions that must not lose precision)
export const dadd = bin(0xa0),
  dsub = bin(0xa1),
  dmul = bin(0xa2),
  ddiv = bin(0xa3);
export const dsqrt = un(0x9f),
  /** f64.convert_i32_s */
  i2d = un(0xb7);
export const promote = un(0xbb),
  demote = un(0xb6);

export function f32c(x: number): Expr {
  const b = new Uint8Array(new Float32Array([x]).buffer);
  return [0x43, ...b];
}
export function f64c(x: number): Expr {
  const b = new Uint8Array(new Float64Array([x]).buffer);
  return [0x44, ...b];
}

/** select(a, b, cond): a when cond is non-zero. */
export function select(a: Val, b: Val, cond: Val): Expr {
  return [...ex(a), ...ex(b), ...ex(cond), 0x1b];
}
export const imin = (a: Val, b: Val): Expr => select(a, b, lt(a, b));
export const imax = (a: Val, b: Val): Expr => select(a, b, gt(a, b));

// memory: addresses are byte offsets; `off` is the static memarg offset
const mem =
  (op: number, align: number) =>
  (addr: Val, off = 0): Expr => [...ex(addr), op, align, ...uleb(off)];
export const ld32i = mem(0x28, 2),
  ld32f = mem(0x2a, 2),
  ld64f = mem(0x2b, 3);
const store =
  (op: number, align: number) =>
  (addr: Val, v: Val, off = 0): Expr => [...ex(addr), ...ex(v), op, align, ...uleb(off)];
export const st32i = store(0x36, 2),
  st32f = store(0x38, 2),
  st64f = store(0x39, 3);

// SIMD (f32x4 lanes)
export const vld = (addr: Val, off = 0): Expr => [...ex(addr), ...simd(0x00), 4, ...uleb(off)];
export const vsplatld = (addr: Val, off = 0): Expr => [...ex(addr), ...simd(0x09), 2, ...uleb(off)];
export const vst = (addr: Val, v: Val, off = 0): Expr => [...ex(addr), ...ex(v), ...simd(0x0b), 4, ...uleb(off)];
export const vzero = (): Expr => [...simd(0x0c), ...new Array<number>(16).fill(0)];
export const vsplat = (f: Val): Expr => [...ex(f), ...simd(0x13)];
export const vlane = (v: Val, lane: number): Expr => [...ex(v), ...simd(0x1f), lane];
/** i8x16.shuffle over the 32 bytes of a and b; f32 lane i of the result is byte lanes 4i…4i+3. */
export const vshuffle = (a: Val, b: Val, f32Lanes: [number, number, number, number]): Expr => [
  ...ex(a),
  ...ex(b),
  ...simd(0x0d),
  ...f32Lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]),
];
export const vadd = vbin(0xe4),
  vsub = vbin(0xe5),
  vmul = vbin(0xe6),
  vmax = vbin(0xe9);
export const vgt = vbin(0x44),
  vle = vbin(0x45),
  vne = vbin(0x42),
  vor = vbin(0x50),
  /** v128.andnot(a, b): a & ~b */
  vandnot = vbin(0x4f);
export const isplat = (i: Val): Expr => [...ex(i), ...simd(0x11)];
export const iadd4 = vbin(0xae);
/** i32x4 signed compares (all-ones lanes where true) and v128.and. */
export const ilt4 = vbin(0x39),
  ige4 = vbin(0x3f),
  vand = vbin(0x4e);
/** v128.const with four i32 lanes. */
export const vconsti = (lanes: [number, number, number, number]): Expr => [
  ...simd(0x0c),
  ...new Uint8Array(Int32Array.from(lanes).buffer),
];
/** v128.bitselect(a, b, mask): bits of a where mask is set, else b. */
export const vselect = (a: Val, b: Val, m: Val): Expr => [...ex(a), ...ex(b), ...ex(m), ...simd(0x52)];
// SIMD f64x2 (float64 reductions two lanes at a time)
export const dvadd = vbin(0xf0),
  dvsub = vbin(0xf1),
  dvmul = vbin(0xf2);
export const dvsplat = (d: Val): Expr => [...ex(d), ...simd(0x14)];
export const dvlane = (v: Val, lane: number): Expr => [...ex(v), ...simd(0x21), lane];
/** f64x2.promote_low_f32x4: f32 lanes 0 and 1 as two float64s. */
export const vpromoteLow = (v: Val): Expr => [...ex(v), ...simd(0x5f)];
/** a·b + c: relaxed-SIMD f32x4.relaxed_madd (one FMA) or a plain mul then add. */
export function vmadd(a: Val, b: Val, c: Val, relaxed: boolean): Expr {
  return relaxed ? [...ex(a), ...ex(b), ...ex(c), ...simd(0x105)] : vadd(vmul(a, b), c);
}

export class FuncBuilder {
  readonly params: Local[];
  private readonly locals: ValType[] = [];
  readonly body: number[] = [];
  /** Open control blocks (for the depth of br targets). */
  private depth = 0;

  constructor(params: ValType[]) {
    this.params = params.map((type, idx) => ({ kind: 'local', idx, type }));
  }

  local(type: ValType = I32): Local {
    this.locals.push(type);
    return { kind: 'local', idx: this.params.length + this.locals.length - 1, type };
  }

  /** Appends expressions or statements (values left on the stack must be consumed by what follows). */
  do(...code: Val[]): void {
    for (const c of code) this.body.push(...ex(c));
  }

  set(l: Local, v: Val): void {
    this.body.push(...ex(v), 0x21, ...uleb(l.idx));
  }

  /** for (i = start; i < end; i += step) body — signed compare, body skipped when start >= end. */
  for(i: Local, start: Val, end: Val, step: Val, body: () => void): void {
    this.set(i, start);
    this.block(() => {
      this.brIf(0, ge(i, end));
      this.loop(() => {
        body();
        this.set(i, add(i, step));
        this.brIf(0, lt(i, end));
      });
    });
  }

  /** while (cond) body. */
  while(cond: () => Val, body: () => void): void {
    this.block(() => {
      this.brIf(0, eqz(cond()));
      this.loop(() => {
        body();
        this.brIf(0, cond());
      });
    });
  }

  if(cond: Val, then: () => void, otherwise?: () => void): void {
    this.body.push(...ex(cond), 0x04, 0x40);
    this.depth++;
    then();
    if (otherwise) {
      this.body.push(0x05);
      otherwise();
    }
    this.depth--;
    this.body.push(0x0b);
  }

  block(body: () => void): void {
    this.body.push(0x02, 0x40);
    this.depth++;
    body();
    this.depth--;
    this.body.push(0x0b);
  }

  loop(body: () => void): void {
    this.body.push(0x03, 0x40);
    this.depth++;
    body();
    this.depth--;
    this.body.push(0x0b);
  }

  brIf(label: number, cond: Val): void {
    this.body.push(...ex(cond), 0x0d, ...uleb(label));
  }

  call(fn: number, args: Val[]): void {
    for (const a of args) this.body.push(...ex(a));
    this.body.push(0x10, ...uleb(fn));
  }

  encode(): number[] {
    const groups: number[][] = [];
    for (let i = 0; i < this.locals.length;) {
      let j = i;
      while (j < this.locals.length && this.locals[j] === this.locals[i]) j++;
      groups.push([...uleb(j - i), this.locals[i]]);
      i = j;
    }
    const code = [...vec(groups), ...this.body, 0x0b];
    return [...uleb(code.length), ...code];
  }
}

interface FuncDef {
  name: string;
  params: ValType[];
  results: ValType[];
  builder: FuncBuilder;
  exported: boolean;
}

export interface MemoryImport {
  shared: boolean;
  minPages: number;
  maxPages: number;
}

/** A module importing one memory as env.memory; functions are numbered in definition order. */
export class ModuleBuilder {
  private readonly funcs: FuncDef[] = [];

  constructor(private readonly memory: MemoryImport) {}

  func(
    name: string,
    params: ValType[],
    results: ValType[],
    build: (f: FuncBuilder, p: Local[]) => void,
    exported = true,
  ): number {
    const builder = new FuncBuilder(params);
    build(builder, builder.params);
    this.funcs.push({ name, params, results, builder, exported });
    return this.funcs.length - 1;
  }

  bytes(): Uint8Array<ArrayBuffer> {
    const section = (id: number, content: number[]) => [id, ...uleb(content.length), ...content];
    const types = this.funcs.map((f) => [0x60, ...vec(f.params.map((t) => [t])), ...vec(f.results.map((t) => [t]))]);
    const { shared, minPages, maxPages } = this.memory;
    const limits = shared ? [0x03, ...uleb(minPages), ...uleb(maxPages)] : [0x01, ...uleb(minPages), ...uleb(maxPages)];
    const imports = vec([[...str('env'), ...str('memory'), 0x02, ...limits]]);
    const funcIdx = vec(this.funcs.map((_, i) => uleb(i)));
    const exports = vec(this.funcs.flatMap((f, i) => (f.exported ? [[...str(f.name), 0x00, ...uleb(i)]] : [])));
    const code = vec(this.funcs.map((f) => f.builder.encode()));
    return new Uint8Array([
      0x00,
      0x61,
      0x73,
      0x6d,
      0x01,
      0x00,
      0x00,
      0x00,
      ...section(1, vec(types)),
      ...section(2, imports),
      ...section(3, funcIdx),
      ...section(7, exports),
      ...section(10, code),
    ]);
  }
}
