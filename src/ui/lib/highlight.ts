// A small Python highlighter for the code panels: keywords, strings, numbers, comments,
// and names after `class`/`def`. Tokens only colour text; the text itself is unchanged.
export type TokenKind = 'kw' | 'str' | 'num' | 'com' | 'def' | 'builtin' | 'plain';
export interface Token {
  kind: TokenKind;
  text: string;
}

const KEYWORDS = new Set([
  'False',
  'None',
  'True',
  'and',
  'as',
  'assert',
  'class',
  'def',
  'elif',
  'else',
  'for',
  'from',
  'if',
  'import',
  'in',
  'is',
  'lambda',
  'not',
  'or',
  'pass',
  'raise',
  'return',
  'while',
  'with',
  'yield',
  'try',
  'except',
  'finally',
]);
const BUILTINS = new Set(['self', 'super', 'print', 'torch', 'nn', 'OrderedDict']);
// Order matters: triple-quoted strings before plain ones, comments before operators.
const PATTERN =
  /("""[\s\S]*?"""|'''[\s\S]*?'''|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')|(#[^\n]*)|(\b\d+(?:\.\d+)?(?:e[+-]?\d+)?\b)|([A-Za-z_]\w*)/g;

export function highlightPython(text: string): Token[] {
  const tokens: Token[] = [];
  let last = 0;
  let prevWord = '';
  for (const m of text.matchAll(PATTERN)) {
    const at = m.index ?? 0;
    if (at > last) tokens.push({ kind: 'plain', text: text.slice(last, at) });
    const [whole, str, com, num, word] = m;
    let kind: TokenKind = 'plain';
    if (str) kind = 'str';
    else if (com) kind = 'com';
    else if (num) kind = 'num';
    else if (word)
      kind =
        prevWord === 'class' || prevWord === 'def'
          ? 'def'
          : KEYWORDS.has(word)
            ? 'kw'
            : BUILTINS.has(word)
              ? 'builtin'
              : 'plain';
    tokens.push({ kind, text: whole });
    if (word) prevWord = word;
    last = at + whole.length;
  }
  if (last < text.length) tokens.push({ kind: 'plain', text: text.slice(last) });
  return tokens;
}
