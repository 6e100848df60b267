import type { NoticePlaceholders } from './notice-kinds.ts';

/**
 * Notice templates: plain text with `{{name}}` placeholders and list blocks
 * `{{#items}}- {{title}} (due {{dueDate}}){{/items}}` that repeat once per item of a list. A block tag
 * alone on its line takes the line with it, so a template can put one item per line readably:
 *
 * ```
 * {{#items}}
 * - {{title}} (due {{dueDate}})
 * {{/items}}
 * ```
 *
 * Pure: no I/O. Templates are parsed and checked against a kind's placeholders when saved, so a
 * saved template always renders.
 */

type Token =
  | { type: 'text'; value: string }
  | { type: 'var'; name: string; raw: string }
  | { type: 'open'; name: string; raw: string }
  | { type: 'close'; name: string; raw: string };

/** A parsed template. */
export type TemplateNode =
  | { type: 'text'; value: string }
  | { type: 'var'; name: string }
  | { type: 'list'; name: string; children: TemplateNode[] };

const TAG = /^\s*([#/]?)\s*([A-Za-z][A-Za-z0-9_]*)\s*$/;

function tokenize(template: string, problems: string[]): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < template.length) {
    const start = template.indexOf('{{', at);
    if (start < 0) {
      tokens.push({ type: 'text', value: template.slice(at) });
      break;
    }
    if (start > at) tokens.push({ type: 'text', value: template.slice(at, start) });
    const end = template.indexOf('}}', start + 2);
    if (end < 0) {
      problems.push(
        `"${excerpt(template.slice(start))}" opens a placeholder with {{ but never closes it with }}`,
      );
      tokens.push({ type: 'text', value: template.slice(start) });
      break;
    }
    const raw = template.slice(start, end + 2);
    const match = TAG.exec(template.slice(start + 2, end));
    if (!match) {
      problems.push(`${raw} is not a placeholder: write {{name}}, {{#list}} or {{/list}}`);
      tokens.push({ type: 'text', value: raw });
    } else {
      const [, sigil, name] = match as unknown as [string, string, string];
      tokens.push({ type: sigil === '#' ? 'open' : sigil === '/' ? 'close' : 'var', name, raw });
    }
    at = end + 2;
  }
  return stripStandaloneBlockLines(tokens);
}

function excerpt(text: string): string {
  return text.length > 30 ? `${text.slice(0, 30)}…` : text;
}

/**
 * Removes the line of a block tag that stands alone on it (only spaces around it), as Mustache does,
 * so block tags on their own lines leave no blank lines behind.
 */
function stripStandaloneBlockLines(tokens: Token[]): Token[] {
  const isBlock = (t: Token | undefined) => t !== undefined && (t.type === 'open' || t.type === 'close');
  const standalone = tokens.map((token, i) => {
    if (!isBlock(token)) return false;
    const before = tokens[i - 1];
    const after = tokens[i + 1];
    const beforeOk =
      before === undefined ||
      (before.type === 'text' &&
        /^[ \t]*$/.test(before.value.slice(before.value.lastIndexOf('\n') + 1)) &&
        (before.value.includes('\n') || i - 1 === 0));
    const afterOk =
      after === undefined ||
      (after.type === 'text' &&
        /^[ \t]*(\r?\n|$)/.test(after.value) &&
        (after.value.includes('\n') || i + 1 === tokens.length - 1));
    return beforeOk && afterOk;
  });
  return tokens.map((token, i) => {
    if (token.type !== 'text') return token;
    let value = token.value;
    if (standalone[i + 1]) value = value.slice(0, value.lastIndexOf('\n') + 1);
    if (standalone[i - 1]) {
      const newline = value.indexOf('\n');
      value = newline < 0 ? '' : value.slice(newline + 1);
    }
    return { type: 'text', value };
  });
}

/** Parses a template; `problems` says what is wrong (empty when it is well formed). */
export function parseTemplate(template: string): { nodes: TemplateNode[]; problems: string[] } {
  const problems: string[] = [];
  const tokens = tokenize(template, problems);
  const root: TemplateNode[] = [];
  let open: { name: string; raw: string; children: TemplateNode[] } | null = null;
  for (const token of tokens) {
    const target = open ? open.children : root;
    switch (token.type) {
      case 'text':
        if (token.value !== '') target.push({ type: 'text', value: token.value });
        break;
      case 'var':
        target.push({ type: 'var', name: token.name });
        break;
      case 'open':
        if (open) {
          problems.push(`${token.raw} is inside ${open.raw}: list blocks cannot be nested`);
          break;
        }
        open = { name: token.name, raw: token.raw, children: [] };
        root.push({ type: 'list', name: token.name, children: open.children });
        break;
      case 'close':
        if (!open) problems.push(`${token.raw} closes a list block that was never opened`);
        else if (open.name !== token.name) problems.push(`${token.raw} does not close ${open.raw}`);
        else open = null;
        break;
    }
  }
  if (open) problems.push(`${open.raw} is never closed: add {{/${open.name}}}`);
  return { nodes: root, problems };
}

/**
 * What is wrong with `template` for a kind with `placeholders`: malformed or unbalanced tags, unknown
 * placeholders, blocks over something that is not a list. Empty when it can be saved.
 */
export function templateProblems(template: string, placeholders: NoticePlaceholders): string[] {
  const { nodes, problems } = parseTemplate(template);
  const known = new Set(placeholders.fields);
  const lists = Object.keys(placeholders.lists);
  const describe = (names: Iterable<string>) => [...names].join(', ') || 'none';
  for (const node of nodes) {
    if (node.type === 'var' && !known.has(node.name)) {
      problems.push(
        lists.includes(node.name)
          ? `{{${node.name}}} is a list: repeat it with {{#${node.name}}}…{{/${node.name}}}`
          : `unknown placeholder {{${node.name}}} (known: ${describe(known)})`,
      );
    }
    if (node.type === 'list') {
      const itemFields = placeholders.lists[node.name];
      if (itemFields === undefined) {
        problems.push(`{{#${node.name}}} is not a list here (lists: ${describe(lists)})`);
        continue;
      }
      const inside = new Set([...itemFields, ...known]);
      for (const child of node.children) {
        if (child.type === 'var' && !inside.has(child.name))
          problems.push(
            `unknown placeholder {{${child.name}}} in {{#${node.name}}} (item fields: ${describe(itemFields)})`,
          );
      }
    }
  }
  return problems;
}

function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  return JSON.stringify(value);
}

/**
 * Fills a parsed template in with `data`. A missing value renders as nothing; a list block repeats
 * once per item of the array of that name (nothing when it is missing or empty), looking names up in
 * the item first and then in `data`.
 */
export function renderNodes(nodes: readonly TemplateNode[], data: Record<string, unknown>): string {
  let out = '';
  for (const node of nodes) {
    if (node.type === 'text') out += node.value;
    else if (node.type === 'var') out += text(data[node.name]);
    else {
      const items = data[node.name];
      if (!Array.isArray(items)) continue;
      for (const item of items) {
        const scope = item !== null && typeof item === 'object' ? { ...data, ...item } : data;
        out += renderNodes(node.children, scope);
      }
    }
  }
  return out;
}

/** Parses and renders in one step (the template must be well formed; check it first). */
export function renderTemplate(template: string, data: Record<string, unknown>): string {
  return renderNodes(parseTemplate(template).nodes, data);
}
