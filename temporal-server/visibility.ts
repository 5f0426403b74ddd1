/**
 * Temporal's list-filter language (the SQL-like `query` of ListWorkflowExecutions and
 * CountWorkflowExecutions), as the real server's converter takes it
 * (`common/persistence/visibility/store/query` in temporalio/temporal): a tokenizer and a
 * recursive-descent parser build the expression, then each predicate is checked against the
 * attribute's type and translated to SQL over the run's visibility row (`executions.visibility`,
 * SQLite JSONB written from {@link visibilityRow}). What the server cannot evaluate is INVALID_ARGUMENT with the
 * real server's reason (`invalid query: …`).
 *
 *   query     := [expr] [GROUP BY name] [ORDER BY name [ASC|DESC] {, name [ASC|DESC]}]
 *   expr      := and {OR and};  and := not {AND not};  not := NOT not | '(' expr ')' | predicate
 *   predicate := name (cmp value | [NOT] IN '(' value {, value} ')' | [NOT] BETWEEN value AND value
 *                      | [NOT] STARTS_WITH value | IS [NOT] NULL)
 *   cmp       := = | != | <> | < | <= | > | >=;  value := 'string' | "string" | number | TRUE | FALSE
 *   name      := identifier | `back-quoted`
 */
import { invalidArgument, type ServiceError } from './errors';
import { parseDatetime, PREDEFINED_ATTRIBUTES, STATUS_VALUES, SYSTEM_ATTRIBUTES, type SaType } from './searchAttributes';
import type { SqlFragment, VisibilityQuery } from './store';

type Token =
  | { kind: 'name'; text: string; quoted: boolean; pos: number }
  | { kind: 'string'; text: string; pos: number }
  | { kind: 'number'; text: string; value: number; pos: number }
  | { kind: 'op'; text: string; pos: number }
  | { kind: 'end'; text: string; pos: number };

type Value = { kind: 'string'; value: string } | { kind: 'number'; value: number; integer: boolean; text: string } | { kind: 'bool'; value: boolean } | { kind: 'name'; value: string };

type Expr =
  | { kind: 'and' | 'or'; left: Expr; right: Expr }
  | { kind: 'not'; expr: Expr }
  | { kind: 'paren'; expr: Expr }
  | { kind: 'compare'; name: string; op: string; value: Value }
  | { kind: 'in'; name: string; not: boolean; values: Value[] }
  | { kind: 'between'; name: string; not: boolean; from: Value; to: Value }
  | { kind: 'is'; name: string; not: boolean };

interface Parsed {
  where?: Expr;
  groupBy?: string;
  orderBy: Array<{ name: string; desc: boolean }>;
}

const invalidQuery = (message: string): ServiceError => invalidArgument(`invalid query: ${message}`);
const NOT_SUPPORTED = 'operation is not supported';
const INVALID = 'invalid expression';

function syntaxError(token: Token): ServiceError {
  const near = token.kind === 'end' ? 'the end of the query' : `'${token.text}'`;
  return invalidQuery(`malformed SQL query: syntax error at position ${token.pos} near ${near}`);
}

function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < query.length) {
    const c = query[i];
    const pos = i + 1;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'" || c === '"') {
      let text = '';
      i++;
      for (;;) {
        if (i >= query.length) throw invalidQuery(`malformed SQL query: syntax error at position ${pos}: unterminated string`);
        if (query[i] === '\\' && i + 1 < query.length) {
          const escaped = query[i + 1];
          text += { n: '\n', t: '\t', r: '\r', '0': '\0' }[escaped] ?? escaped;
          i += 2;
        } else if (query[i] === c && query[i + 1] === c) {
          text += c;
          i += 2;
        } else if (query[i] === c) {
          i++;
          break;
        } else {
          text += query[i++];
        }
      }
      tokens.push({ kind: 'string', text, pos });
    } else if (c === '`') {
      const end = query.indexOf('`', i + 1);
      if (end < 0) throw invalidQuery(`malformed SQL query: syntax error at position ${pos}: unterminated back-quoted name`);
      tokens.push({ kind: 'name', text: query.slice(i + 1, end), quoted: true, pos });
      i = end + 1;
    } else if (/[0-9]/.test(c) || ((c === '-' || c === '+' || c === '.') && /[0-9.]/.test(query[i + 1] ?? ''))) {
      const match = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/.exec(query.slice(i))!;
      tokens.push({ kind: 'number', text: match[0], value: Number(match[0]), pos });
      i += match[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const match = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(query.slice(i))!;
      tokens.push({ kind: 'name', text: match[0], quoted: false, pos });
      i += match[0].length;
    } else {
      const op = ['<=', '>=', '!=', '<>'].find((two) => query.startsWith(two, i)) ?? (['=', '<', '>', '(', ')', ','].includes(c) ? c : undefined);
      if (!op) throw invalidQuery(`malformed SQL query: syntax error at position ${pos} near '${c}'`);
      tokens.push({ kind: 'op', text: op, pos });
      i += op.length;
    }
  }
  tokens.push({ kind: 'end', text: '', pos: query.length + 1 });
  return tokens;
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)];
  }

  /** True when the next token is the (unquoted, case-insensitive) keyword. */
  private isKeyword(word: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token.kind === 'name' && !token.quoted && token.text.toUpperCase() === word;
  }

  private acceptKeyword(word: string): boolean {
    if (!this.isKeyword(word)) return false;
    this.i++;
    return true;
  }

  private expectKeyword(word: string): void {
    if (!this.acceptKeyword(word)) throw syntaxError(this.peek());
  }

  private acceptOp(op: string): boolean {
    const token = this.peek();
    if (token.kind !== 'op' || token.text !== op) return false;
    this.i++;
    return true;
  }

  private expectOp(op: string): void {
    if (!this.acceptOp(op)) throw syntaxError(this.peek());
  }

  parse(): Parsed {
    const parsed: Parsed = { orderBy: [] };
    if (!this.isKeyword('ORDER') && !this.isKeyword('GROUP') && this.peek().kind !== 'end') parsed.where = this.or();
    if (this.acceptKeyword('GROUP')) {
      this.expectKeyword('BY');
      parsed.groupBy = this.name();
      if (this.acceptOp(',')) throw invalidQuery(`${NOT_SUPPORTED}: 'GROUP BY' clause supports only a single field`);
    }
    if (this.acceptKeyword('ORDER')) {
      this.expectKeyword('BY');
      do {
        const name = this.name();
        const desc = this.acceptKeyword('DESC');
        if (!desc) this.acceptKeyword('ASC');
        parsed.orderBy.push({ name, desc });
      } while (this.acceptOp(','));
    }
    if (this.isKeyword('LIMIT')) throw invalidQuery(`${NOT_SUPPORTED}: 'LIMIT' clause`);
    if (this.peek().kind !== 'end') throw syntaxError(this.peek());
    return parsed;
  }

  private or(): Expr {
    let left = this.and();
    while (this.acceptKeyword('OR')) left = { kind: 'or', left, right: this.and() };
    return left;
  }

  private and(): Expr {
    let left = this.not();
    while (this.acceptKeyword('AND')) left = { kind: 'and', left, right: this.not() };
    return left;
  }

  private not(): Expr {
    if (this.acceptKeyword('NOT')) return { kind: 'not', expr: this.not() };
    if (this.acceptOp('(')) {
      const expr = this.or();
      this.expectOp(')');
      return { kind: 'paren', expr };
    }
    return this.predicate();
  }

  private name(): string {
    const token = this.peek();
    if (token.kind !== 'name' || (!token.quoted && ['AND', 'OR', 'NOT', 'ORDER', 'GROUP', 'BY'].includes(token.text.toUpperCase()))) throw syntaxError(token);
    this.i++;
    return token.text;
  }

  private predicate(): Expr {
    const name = this.name();
    const token = this.peek();
    if (token.kind === 'op' && ['=', '!=', '<>', '<', '<=', '>', '>='].includes(token.text)) {
      this.i++;
      return { kind: 'compare', name, op: token.text === '<>' ? '!=' : token.text, value: this.value() };
    }
    if (this.acceptKeyword('IS')) {
      const not = this.acceptKeyword('NOT');
      this.expectKeyword('NULL');
      return { kind: 'is', name, not };
    }
    const not = this.acceptKeyword('NOT');
    if (this.acceptKeyword('IN')) {
      this.expectOp('(');
      const values = [this.value()];
      while (this.acceptOp(',')) values.push(this.value());
      this.expectOp(')');
      return { kind: 'in', name, not, values };
    }
    if (this.acceptKeyword('BETWEEN')) {
      const from = this.value();
      this.expectKeyword('AND');
      return { kind: 'between', name, not, from, to: this.value() };
    }
    if (this.acceptKeyword('STARTS_WITH')) return { kind: 'compare', name, op: not ? 'NOT STARTS_WITH' : 'STARTS_WITH', value: this.value() };
    if (this.acceptKeyword('LIKE')) return { kind: 'compare', name, op: not ? 'NOT LIKE' : 'LIKE', value: this.value() };
    const next = this.peek();
    if (!not && (next.kind === 'end' || (next.kind === 'op' && next.text === ')') || this.isKeyword('AND') || this.isKeyword('OR'))) {
      throw invalidQuery(`${INVALID}: incomplete expression`);
    }
    throw syntaxError(next);
  }

  private value(): Value {
    const token = this.peek();
    this.i++;
    if (token.kind === 'string') return { kind: 'string', value: token.text };
    if (token.kind === 'number') return { kind: 'number', value: token.value, integer: /^[-+]?\d+$/.test(token.text), text: token.text };
    if (token.kind === 'name' && !token.quoted && ['TRUE', 'FALSE'].includes(token.text.toUpperCase())) return { kind: 'bool', value: token.text.toUpperCase() === 'TRUE' };
    if (token.kind === 'name') return { kind: 'name', value: token.text };
    this.i--;
    throw syntaxError(token);
  }
}

/** A column's value in the visibility row. */
const column = (name: string): SqlFragment => ({ sql: 'json_extract(visibility, ?)', params: [`$."${name}"`] });

const OPERATORS: Record<string, string[]> = {
  Keyword: ['=', '!=', '<', '<=', '>', '>=', 'IN', 'NOT IN', 'STARTS_WITH', 'NOT STARTS_WITH'],
  KeywordList: ['=', '!=', 'IN', 'NOT IN'],
  Text: ['=', '!='],
  other: ['=', '!=', '<', '<=', '>', '>=', 'IN', 'NOT IN'],
};

const RANGE_TYPES: SaType[] = ['Datetime', 'Double', 'Int', 'Keyword'];

/** Go's `%#v (type: %T)` of a literal, as the real server prints a value of the wrong type. */
function shown(value: Value): string {
  if (value.kind === 'string') return `${JSON.stringify(value.value)} (type: string)`;
  if (value.kind === 'number') return `${value.text} (type: ${value.integer ? 'int64' : 'float64'})`;
  return `${String(value.value)} (type: bool)`;
}

/** A Go duration (`1h30m`, `90s`, `1.5h`) in nanoseconds, or undefined. */
function parseGoDuration(text: string): number | undefined {
  const units: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
  const parts = /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/.test(text) ? text.match(/\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h)/g) : null;
  if (!parts) return undefined;
  return parts.reduce((sum, part) => {
    const [, amount, unit] = /^(\d+(?:\.\d+)?)(\D+)$/.exec(part)!;
    return sum + Number(amount) * units[unit];
  }, 0);
}

class Compiler {
  constructor(private readonly types: Record<string, SaType>) {}

  /** The attribute's type: system first, then the namespace's custom ones. */
  typeOf(name: string): SaType {
    const type = SYSTEM_ATTRIBUTES[name] ?? PREDEFINED_ATTRIBUTES[name] ?? this.types[name];
    if (!type) throw invalidQuery(`${INVALID}: column name '${name}' is not a valid search attribute`);
    return type;
  }

  /** The SQL parameter a literal stands for, checked against the attribute's type (`parseSQLVal`). */
  param(name: string, type: SaType, value: Value): unknown {
    if (value.kind === 'name') throw invalidQuery(`${NOT_SUPPORTED}: column name on the right side of comparison expression (did you forget to quote "${value.value}"?)`);
    const wrongType = () => invalidQuery(`${INVALID}: invalid value type for search attribute ${name} of type ${type}: ${shown(value)}`);
    if (name === 'ExecutionStatus') {
      if (value.kind === 'number' && value.integer && STATUS_VALUES[value.value - 1]) return STATUS_VALUES[value.value - 1];
      if (value.kind === 'string') {
        const short = STATUS_VALUES.find((status) => status === value.value || `WORKFLOW_EXECUTION_STATUS_${status.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()}` === value.value);
        if (short) return short;
        throw invalidQuery(`${INVALID}: invalid ExecutionStatus value '${value.value}'`);
      }
      if (value.kind === 'number') throw invalidQuery(`${INVALID}: invalid ExecutionStatus value ${value.text}`);
      throw invalidQuery(`${INVALID}: unexpected value type bool for search attribute ExecutionStatus`);
    }
    if (name === 'ExecutionDuration') {
      if (value.kind === 'number' && value.integer) return value.value;
      const ns = value.kind === 'string' ? parseGoDuration(value.value) : undefined;
      if (ns === undefined) throw invalidQuery(`${INVALID}: invalid duration value for search attribute ExecutionDuration: ${String(value.value)}`);
      return ns;
    }
    switch (type) {
      case 'Int':
      case 'Double':
        if (value.kind !== 'number') throw wrongType();
        return value.value;
      case 'Bool':
        if (value.kind !== 'bool') throw wrongType();
        return value.value ? 1 : 0;
      case 'Datetime': {
        if (value.kind === 'number' && value.integer) return Math.floor(value.value / 1e6);
        if (value.kind !== 'string') throw wrongType();
        const ms = parseDatetime(value.value);
        if (ms === undefined) throw invalidQuery(`${INVALID}: unable to parse datetime '${value.value}'`);
        return ms;
      }
      default:
        if (value.kind !== 'string') throw wrongType();
        return value.value;
    }
  }

  expr(expr: Expr): SqlFragment {
    switch (expr.kind) {
      case 'and':
      case 'or': {
        const left = this.expr(expr.left);
        const right = this.expr(expr.right);
        return { sql: `(${left.sql}) ${expr.kind.toUpperCase()} (${right.sql})`, params: [...left.params, ...right.params] };
      }
      case 'not': {
        const inner = this.expr(expr.expr);
        return { sql: `NOT (${inner.sql})`, params: inner.params };
      }
      case 'paren':
        return this.expr(expr.expr);
      case 'is': {
        this.typeOf(expr.name);
        const col = column(expr.name);
        return { sql: `${col.sql} IS ${expr.not ? 'NOT ' : ''}NULL`, params: col.params };
      }
      case 'between': {
        const type = this.typeOf(expr.name);
        if (!RANGE_TYPES.includes(type)) throw invalidQuery(`${INVALID}: cannot do range condition on search attribute '${expr.name}' of type ${type}`);
        const col = column(expr.name);
        return { sql: `${col.sql} ${expr.not ? 'NOT ' : ''}BETWEEN ? AND ?`, params: [...col.params, this.param(expr.name, type, expr.from), this.param(expr.name, type, expr.to)] };
      }
      case 'in':
        return this.comparison(expr.name, expr.not ? 'NOT IN' : 'IN', expr.values);
      case 'compare':
        return this.comparison(expr.name, expr.op, [expr.value]);
    }
  }

  private comparison(name: string, op: string, values: Value[]): SqlFragment {
    const type = this.typeOf(name);
    const params = values.map((value) => this.param(name, type, value));
    const allowed = OPERATORS[type] ?? OPERATORS.other;
    if (!allowed.includes(op)) throw invalidQuery(`${NOT_SUPPORTED}: operator '${op}' not supported for ${type} type search attribute '${name}'`);
    const col = column(name);
    const list = params.map(() => '?').join(', ');
    if (type === 'KeywordList') {
      // A list matches when it holds the value (any of the values); != and NOT IN when it holds none.
      const negated = op === '!=' || op === 'NOT IN';
      return { sql: `${negated ? 'NOT ' : ''}EXISTS (SELECT 1 FROM json_each(visibility, ?) WHERE value IN (${list}))`, params: [...col.params, ...params] };
    }
    if (type === 'Text') {
      // Full-text: the text holds any of the value's words, case-insensitively (the real server's FTS5 query).
      const tokens = String(params[0]).split(' ').filter((token) => token !== '');
      if (tokens.length === 0) throw invalidQuery(`${INVALID}: unexpected value for Text type search attribute (no tokens found)`);
      const match = `ifnull(sa_text_match(${col.sql}, ?), 0)`;
      return { sql: op === '=' ? match : `NOT ${match}`, params: [...col.params, JSON.stringify(tokens)] };
    }
    switch (op) {
      case 'IN':
      case 'NOT IN':
        return { sql: `${col.sql} ${op} (${list})`, params: [...col.params, ...params] };
      case 'STARTS_WITH':
      case 'NOT STARTS_WITH':
        return { sql: `substr(${col.sql}, 1, ?) ${op === 'STARTS_WITH' ? '=' : '!='} ?`, params: [...col.params, [...String(params[0])].length, params[0]] };
      default:
        return { sql: `${col.sql} ${op} ?`, params: [...col.params, params[0]] };
    }
  }
}

/** Words of a text, lower-cased, as the full-text match compares them. */
const words = (text: string): string[] => text.toLowerCase().split(/[^\p{L}\p{N}_]+/u).filter((word) => word !== '');

/** The tokens of the query being evaluated, parsed once rather than once per row. */
let lastTokens: { json: string; phrases: string[][] } = { json: '[]', phrases: [] };

/**
 * `sa_text_match(text, tokensJson)`: 1 when the text holds any of the tokens (a token of several
 * words as a phrase), the SQL function the Text comparisons call.
 */
export function textMatch(text: unknown, tokensJson: string): number | null {
  if (typeof text !== 'string') return null;
  const have = words(text);
  if (tokensJson !== lastTokens.json) lastTokens = { json: tokensJson, phrases: (JSON.parse(tokensJson) as string[]).map(words) };
  return lastTokens.phrases.some((phrase) => {
    if (phrase.length === 0) return false;
    for (let i = 0; i + phrase.length <= have.length; i++) if (phrase.every((word, j) => have[i + j] === word)) return true;
    return false;
  })
    ? 1
    : 0;
}

/** Newest first as the real server lists: running runs, then by close time, then by start time (`BuildSelectStmt`). */
const DEFAULT_ORDER: VisibilityQuery['order'] = [
  { sql: 'ifnull(json_extract(visibility, ?), 9000000000000000)', params: ['$."CloseTime"'], desc: true },
  { sql: 'start_time', params: [], desc: true },
];

/**
 * Parses and checks a filter for `kind` (list: ORDER BY allowed; count: GROUP BY ExecutionStatus
 * allowed) against the namespace's custom attributes and their types.
 * @throws ServiceError INVALID_ARGUMENT `invalid query: …` with the reason.
 */
export function compileQuery(query: string | undefined, customTypes: Record<string, SaType>, kind: 'list' | 'count'): VisibilityQuery {
  const parsed = new Parser(tokenize(query ?? '')).parse();
  const compiler = new Compiler(customTypes);
  const result: VisibilityQuery = { where: parsed.where ? compiler.expr(parsed.where) : undefined, order: DEFAULT_ORDER };
  if (parsed.groupBy !== undefined) {
    compiler.typeOf(parsed.groupBy);
    if (parsed.groupBy !== 'ExecutionStatus') throw invalidQuery(`${NOT_SUPPORTED}: 'GROUP BY' clause is not supported for search attribute ${parsed.groupBy}`);
    if (kind === 'list') throw invalidQuery(`${NOT_SUPPORTED}: 'GROUP BY' clause`);
    result.groupBy = column('ExecutionStatus');
  }
  if (parsed.orderBy.length > 0) {
    result.order = parsed.orderBy.map(({ name, desc }) => {
      const type = compiler.typeOf(name);
      if (type === 'Text') throw invalidQuery(`${NOT_SUPPORTED}: unable to sort by search attribute type Text`);
      return { ...column(name), desc };
    });
  }
  return result;
}
