import { describe, expect, it } from 'vitest';
import { BUILT_IN_TEMPLATES } from './builtin-templates.ts';
import { NOTICE_KINDS, placeholdersFor, sampleData } from './notice-kinds.ts';
import { parseTemplate, renderTemplate, templateProblems } from './notice-template.ts';

describe('notice templates', () => {
  it('fills in placeholders and repeats a list block once per item', () => {
    const text = renderTemplate('Dear {{firstName}}: {{#items}}[{{title}} due {{dueDate}}]{{/items}}.', {
      firstName: 'Ada',
      items: [
        { title: 'Kindred', dueDate: '2026-12-01' },
        { title: 'Beloved', dueDate: '2026-12-02' },
      ],
    });
    expect(text).toBe('Dear Ada: [Kindred due 2026-12-01][Beloved due 2026-12-02].');
  });

  it('takes the line of a block tag standing alone, so one item per line reads naturally', () => {
    const template = 'Items:\n{{#items}}\n  - {{title}} ({{firstName}})\n{{/items}}\nThanks\n';
    expect(renderTemplate(template, { firstName: 'Ada', items: [{ title: 'A' }, { title: 'B' }] })).toBe(
      'Items:\n  - A (Ada)\n  - B (Ada)\nThanks\n',
    );
    expect(renderTemplate(template, { items: [] })).toBe('Items:\nThanks\n');
    expect(renderTemplate('{{#items}}\n{{title}}\n{{/items}}', { items: [{ title: 'x' }] })).toBe('x\n');
  });

  it('renders a missing value as nothing, numbers as digits, and ignores a missing list', () => {
    expect(renderTemplate('{{a}}|{{b}}|{{#items}}x{{/items}}', { b: 7 })).toBe('|7|');
  });

  it.each([
    ['{{nickname}}', /unknown placeholder \{\{nickname\}\}/],
    ['{{#items}}- {{title}}', /\{\{#items\}\} is never closed/],
    ['{{/items}}', /closes a list block that was never opened/],
    ['{{#items}}{{/charges}}', /\{\{\/charges\}\} does not close \{\{#items\}\}/],
    ['{{#items}}{{#items}}{{/items}}', /cannot be nested/],
    ['{{#firstName}}x{{/firstName}}', /\{\{#firstName\}\} is not a list/],
    ['{{items}}', /\{\{items\}\} is a list/],
    ['{{#items}}{{amount}}{{/items}}', /unknown placeholder \{\{amount\}\} in \{\{#items\}\}/],
    ['Hello {{first name}}', /\{\{first name\}\} is not a placeholder/],
    ['Hello {{firstName', /never closes it/],
  ])('refuses %s for overdue1', (template, problem) => {
    const problems = templateProblems(template, placeholdersFor('overdue1'));
    expect(problems.join('\n')).toMatch(problem);
  });

  it('accepts outer fields inside a block and plain text with single braces', () => {
    expect(
      templateProblems('{ {{#items}}{{title}} {{firstName}}{{/items}} }', placeholdersFor('courtesy')),
    ).toEqual([]);
    expect(parseTemplate('no placeholders at all').problems).toEqual([]);
  });

  it('ships a valid English and Spanish template for every kind, using every list it offers', () => {
    for (const language of ['en', 'es']) {
      for (const kind of NOTICE_KINDS) {
        const text = BUILT_IN_TEMPLATES[language]![kind];
        const placeholders = placeholdersFor(kind);
        expect(templateProblems(text.subject, placeholders), `${language} ${kind} subject`).toEqual([]);
        expect(templateProblems(text.body, placeholders), `${language} ${kind} body`).toEqual([]);
        const body = renderTemplate(text.body, sampleData(kind));
        expect(body).toContain('Ada Lovelace');
        for (const list of Object.keys(placeholders.lists))
          expect(text.body, `${kind} uses ${list}`).toContain(`{{#${list}}}`);
      }
    }
  });
});
