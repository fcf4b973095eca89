// Which names may go into generated Python: OrderedDict layer names and the class name.
// A name is never pasted into code unless it passes these checks.
//
// Decisions (see docs/model-format.md):
// - ASCII identifiers only ([A-Za-z_][A-Za-z0-9_]*). Python 3 also accepts many Unicode
//   identifiers, but it NFKC-normalizes them as attributes (so `model.ﬁ` is `model.fi`
//   while the OrderedDict key stays 'ﬁ'); ASCII keeps state_dict keys and attributes equal.
// - Hard keywords are refused; soft keywords (`match`, `case`, `_`) are legal names
//   (`type` is too, but nn.Module has a `type` method, so add_module refuses it).
// - Layer names must not shadow an attribute of nn.Sequential: PyTorch's add_module raises
//   KeyError "attribute 'forward' already exists" for those (probed on PyTorch 1.13; the
//   list adds the attributes PyTorch 2.x introduced so exports keep running there).

/** Python 3 hard keywords (keyword.kwlist, unchanged from 3.7 to 3.13). */
export const PYTHON_KEYWORDS: ReadonlySet<string> = new Set([
  'False',
  'None',
  'True',
  'and',
  'as',
  'assert',
  'async',
  'await',
  'break',
  'class',
  'continue',
  'def',
  'del',
  'elif',
  'else',
  'except',
  'finally',
  'for',
  'from',
  'global',
  'if',
  'import',
  'in',
  'is',
  'lambda',
  'nonlocal',
  'not',
  'or',
  'pass',
  'raise',
  'return',
  'try',
  'while',
  'with',
  'yield',
]);

/** dir(nn.Sequential()) in PyTorch 1.13 (dunders listed separately below). */
const SEQUENTIAL_ATTRS_113 = `T_destination _apply _backward_hooks _buffers _call_impl _forward_hooks
  _forward_pre_hooks _get_backward_hooks _get_item_by_idx _get_name _is_full_backward_hook
  _load_from_state_dict _load_state_dict_post_hooks _load_state_dict_pre_hooks
  _maybe_warn_non_full_backward_hook _modules _named_members _non_persistent_buffers_set
  _parameters _register_load_state_dict_pre_hook _register_state_dict_hook
  _replicate_for_data_parallel _save_to_state_dict _slow_forward _state_dict_hooks _version
  add_module append apply bfloat16 buffers children cpu cuda double dump_patches eval extend
  extra_repr float forward get_buffer get_extra_state get_parameter get_submodule half insert
  ipu load_state_dict modules named_buffers named_children named_modules named_parameters
  parameters pop register_backward_hook register_buffer register_forward_hook
  register_forward_pre_hook register_full_backward_hook register_load_state_dict_post_hook
  register_module register_parameter requires_grad_ set_extra_state share_memory state_dict to
  to_empty train training type xpu zero_grad`;

/** Attributes PyTorch 2.x added to nn.Module / nn.Sequential. */
const SEQUENTIAL_ATTRS_2X = `_backward_pre_hooks _compiled_call_impl _forward_hooks_always_called
  _forward_hooks_with_kwargs _forward_pre_hooks_with_kwargs _get_backward_pre_hooks
  _state_dict_pre_hooks _wrapped_call_impl call_super_init compile mtia
  register_full_backward_pre_hook register_load_state_dict_pre_hook
  register_state_dict_post_hook register_state_dict_pre_hook set_submodule`;

/** The dunder attributes of nn.Sequential (1.13), for a precise message. */
const DUNDER_ATTRS: ReadonlySet<string> = new Set(
  `__add__ __annotations__ __call__ __class__ __delattr__
  __delitem__ __dict__ __dir__ __doc__ __eq__ __format__ __ge__ __getattr__ __getattribute__
  __getitem__ __getstate__ __gt__ __hash__ __iadd__ __imul__ __init__ __init_subclass__ __iter__
  __le__ __len__ __lt__ __module__ __mul__ __ne__ __new__ __reduce__ __reduce_ex__ __repr__
  __rmul__ __setattr__ __setitem__ __setstate__ __sizeof__ __str__ __subclasshook__
  __weakref__`.split(/\s+/),
);

const SEQUENTIAL_ATTRS: ReadonlySet<string> = new Set(
  `${SEQUENTIAL_ATTRS_113} ${SEQUENTIAL_ATTRS_2X}`.split(/\s+/).filter(Boolean),
);

/** Every name add_module refuses as an existing attribute of nn.Sequential, sorted. */
export const SEQUENTIAL_ATTRIBUTES: readonly string[] = [...SEQUENTIAL_ATTRS, ...DUNDER_ATTRS].sort();

/**
 * Names the generated module itself uses at top level: a class called `torch` or `print`
 * would shadow them and break the exported file.
 */
const MODULE_GLOBALS: ReadonlySet<string> = new Set(['torch', 'nn', 'OrderedDict', 'print', 'tuple', 'super']);

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Why `name` is not a valid Python identifier, or null if it is one (keywords refused). */
export function identifierError(name: string): string | null {
  if (typeof name !== 'string') return 'must be a string';
  if (name === '') return 'must not be empty';
  if (/^[0-9]/.test(name)) return `'${name}' starts with a digit; a Python identifier starts with a letter or _`;
  if (!IDENTIFIER.test(name)) {
    const bad = [...name].find((ch) => !/[A-Za-z0-9_]/.test(ch)) ?? '';
    const shown = bad === ' ' ? 'a space' : /[\u0000-\u001f\u007f]/.test(bad) ? 'a control character' : `'${bad}'`;
    const unicode = bad.charCodeAt(0) > 127 ? ' (Layerboard keeps names ASCII)' : '';
    return `'${printable(name)}' contains ${shown}; use only ASCII letters, digits and _${unicode}`;
  }
  if (PYTHON_KEYWORDS.has(name)) return `'${name}' is a Python keyword`;
  return null;
}

/** null when `name` can be an OrderedDict layer name of an nn.Sequential, else the reason. */
export function pythonNameError(name: string): string | null {
  const err = identifierError(name);
  if (err) return err;
  if (SEQUENTIAL_ATTRS.has(name) || DUNDER_ATTRS.has(name)) {
    return `'${name}' is already an attribute of nn.Sequential (PyTorch refuses it: attribute '${name}' already exists)`;
  }
  if (/^__\w*__$/.test(name)) return `'${name}' is a __dunder__ name, which Python reserves for itself`;
  return null;
}

/**
 * What PyTorch's add_module itself refuses (it accepts '0', 'x y' or 'class'): used for
 * print(model) text, which is not code. Generated code uses the stricter pythonNameError.
 */
export function torchModuleNameError(name: unknown): string | null {
  if (typeof name !== 'string') return `module name should be a string, got ${typeof name}`;
  if (name === '') return 'module name can\'t be empty string ""';
  if (name.includes('.')) return `module name can't contain ".", got: ${name}`;
  if (SEQUENTIAL_ATTRS.has(name) || DUNDER_ATTRS.has(name)) return `attribute '${name}' already exists`;
  return null;
}

/** null when `name` can be the exported class's name, else the reason. */
export function classNameError(name: string): string | null {
  const err = identifierError(name);
  if (err) return err;
  if (MODULE_GLOBALS.has(name))
    return `'${name}' would shadow a name the exported module uses; pick another class name`;
  // `class __name__` rebinds the module's __name__, so `if __name__ == '__main__'` never runs.
  if (/^__.*__$/.test(name))
    return `'${name}' is a Python special (dunder) name: as a class it would replace the module's own ${name} (breaking the generated script's __main__ block); pick another class name`;
  return null;
}

/** Every problem with a list of layer names: invalid ones and duplicates, by index. */
export function layerNamesErrors(names: readonly string[]): { index: number; message: string }[] {
  const errors: { index: number; message: string }[] = [];
  const seen = new Map<string, number>();
  names.forEach((name, index) => {
    const err = pythonNameError(name);
    if (err) errors.push({ index, message: err });
    else if (seen.has(name))
      errors.push({ index, message: `'${name}' is already the name of layer ${seen.get(name)}; names must be unique` });
    else seen.set(name, index);
  });
  return errors;
}

/** The name with control characters escaped, safe to show in a message. */
function printable(name: string): string {
  return name.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
