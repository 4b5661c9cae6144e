/**
 * Internal to the Xero sandbox: the part of Xero's `where` filter it understands — `Field=="text"` comparisons on
 * Type, Reference, InvoiceNumber and Status, joined by AND / OR, in parentheses. Xero's filter is a .NET expression
 * language that takes far more (https://developer.xero.com/documentation/api/accounting/requests-and-responses#http-get);
 * anything else is refused with a ValidationException rather than misread.
 */

export type Row = Readonly<Record<string, unknown>>;
export type Filter = (row: Row) => boolean;

const FIELDS = new Set(['Type', 'Reference', 'InvoiceNumber', 'Status']);
const TOKEN = /\s*(?:(\()|(\))|(AND|OR)\b|([A-Za-z]+)\s*==\s*"((?:[^"\\]|\\.)*)")/y;

type Token = { kind: 'open' } | { kind: 'close' } | { kind: 'op'; op: 'AND' | 'OR' } | { kind: 'compare'; field: string; value: string };

/** Parses a where clause; throws an Error whose message says what the sandbox could not read. */
export function parseWhere(text: string): Filter {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length && text.slice(TOKEN.lastIndex).trim() !== '') {
    const at = TOKEN.lastIndex;
    const match = TOKEN.exec(text);
    if (!match) throw new Error(`the sandbox cannot read the where clause from character ${at}: ${JSON.stringify(text.slice(at, at + 30))}`);
    if (match[1]) tokens.push({ kind: 'open' });
    else if (match[2]) tokens.push({ kind: 'close' });
    else if (match[3]) tokens.push({ kind: 'op', op: match[3] as 'AND' | 'OR' });
    else {
      if (!FIELDS.has(match[4]!)) throw new Error(`the sandbox filters on ${[...FIELDS].join(', ')} only, not ${match[4]}`);
      tokens.push({ kind: 'compare', field: match[4]!, value: match[5]!.replace(/\\(.)/g, '$1') });
    }
  }
  let position = 0;
  const expression = (): Filter => {
    let left = term();
    while (tokens[position]?.kind === 'op' && (tokens[position] as { op: string }).op === 'OR') {
      position += 1;
      const right = term();
      const before = left;
      left = (row) => before(row) || right(row);
    }
    return left;
  };
  const term = (): Filter => {
    let left = factor();
    while (tokens[position]?.kind === 'op' && (tokens[position] as { op: string }).op === 'AND') {
      position += 1;
      const right = factor();
      const before = left;
      left = (row) => before(row) && right(row);
    }
    return left;
  };
  const factor = (): Filter => {
    const token = tokens[position];
    position += 1;
    if (token?.kind === 'compare') return (row) => row[token.field] === token.value;
    if (token?.kind === 'open') {
      const inner = expression();
      if (tokens[position]?.kind !== 'close') throw new Error('the where clause has an unclosed parenthesis');
      position += 1;
      return inner;
    }
    throw new Error('the where clause is incomplete');
  };
  const filter = expression();
  if (position !== tokens.length) throw new Error('the where clause has more after its end');
  return filter;
}
