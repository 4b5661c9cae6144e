import { z, type ZodType } from 'zod';
import { IntegrationError } from '../../../domain';
import { compiledCheckOf } from './compiled-check';
import { validate } from './translate';

/**
 * compiled-check.ts stands in front of zod: whatever it accepts, zod must accept; what it cannot say the same way
 * gets no compiled check at all.
 */
describe('compiled checks of system answers', () => {
  const site = { system: 'test', operation: 'read' };

  /** Every construct the compiled checks take, one field each. */
  const everything = z.object({
    id: z.string().min(1),
    code: z.string().regex(/^[A-Z]{3}$/),
    pair: z.string().min(2),
    two: z.string().regex(/^.{2}$/),
    at: z.iso.datetime(),
    day: z.iso.date(),
    count: z.number().int().nonnegative(),
    ratio: z.number().positive(),
    flag: z.boolean(),
    kind: z.literal('widget'),
    status: z.enum(['open', 'closed']),
    note: z.string().nullish(),
    when: z.date(),
    tags: z.array(z.string().min(1)).min(1),
    either: z.union([z.string().min(1), z.looseObject({ id: z.number() })]).nullable(),
    labels: z.record(z.string(), z.string()),
    nested: z.object({ deep: z.number().lt(10).gt(-10) }).optional(),
  });

  /** A list answer as the adapters read them: a page of records, each with a nested object or null. */
  const list = z.object({
    object: z.literal('list'),
    data: z.array(z.object({ id: z.string().min(1), amount: z.number().int().nonnegative(), charge: z.object({ id: z.string() }).nullable() })),
    has_more: z.boolean(),
  });

  it('compiles a check of every construct the adapters\' read schemas use', () => {
    expect(compiledCheckOf(everything)).toBeDefined();
    expect(compiledCheckOf(list)).toBeDefined();
  });

  it.each<[string, ZodType]>([
    ['a transform', z.object({ a: z.string().transform((text) => text.length) })],
    ['a refinement', z.object({ a: z.string().refine((text) => text !== 'x') })],
    ['preprocessing', z.object({ a: z.preprocess((value) => String(value), z.string()) })],
    ['coercion', z.object({ a: z.coerce.number() })],
    ['a default', z.object({ a: z.string().default('x') })],
    ['a pattern with flags', z.object({ a: z.string().regex(/^bearer$/i) })],
    ['a format other than a pattern', z.object({ a: z.email() })],
    ['a longest length (no read schema has one: not compiled)', z.object({ a: z.string().max(2) })],
    ['a catch-all schema', z.object({ a: z.string() }).catchall(z.number())],
  ])('compiles no check for a schema with %s: zod alone judges it', (_what, schema) => {
    expect(compiledCheckOf(schema)).toBeUndefined();
  });

  it('never accepts what zod refuses (20,000 answers drawn from values near the edges)', () => {
    const check = compiledCheckOf(everything)!;
    // A small seeded generator: the same answers on every run.
    let seed = 20261207;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
    const strings = ['', 'a', 'ab', 'ABC', 'abc', 'AB\u00c9', '\u{1F600}', '\u{1F600}\u{1F600}', 'open', 'closed', 'widget', '2026-12-07T10:00:00Z', '2026-12-07T10:00:00+01:00', '2026-12-07', '2026-13-45', ' 2026-12-07'];
    const scalars = [...strings, 0, -1, 1, 1.5, 2 ** 60, -0, 9.99, 10, true, false, null, undefined, new Date('2026-12-07'), new Date('nope')];
    const anyValue = (depth: number): unknown => {
      const roll = random();
      if (depth > 2 || roll < 0.6) return pick(scalars);
      if (roll < 0.8) return Array.from({ length: Math.floor(random() * 3) }, () => anyValue(depth + 1));
      return { id: anyValue(depth + 1), deep: anyValue(depth + 1), x: anyValue(depth + 1) };
    };
    const valid = {
      id: 'w-1', code: 'ABC', pair: 'ab', two: 'ab', at: '2026-12-07T10:00:00Z', day: '2026-12-07', count: 3, ratio: 0.5, flag: true, kind: 'widget', status: 'open',
      note: null, when: new Date('2026-12-07'), tags: ['a'], either: { id: 1, more: true }, labels: { a: 'b' }, nested: { deep: 1 },
    };
    expect(check(valid)).toBe(true);
    let accepted = 0;
    for (let round = 0; round < 20_000; round += 1) {
      const answer: Record<string, unknown> = { ...valid };
      // Change one to three fields, sometimes leave one out.
      for (let change = 0; change < 1 + Math.floor(random() * 3); change += 1) {
        const key = pick(Object.keys(valid));
        if (random() < 0.1) delete answer[key];
        else answer[key] = anyValue(0);
      }
      if (check(answer)) {
        accepted += 1;
        expect([answer, everything.safeParse(answer).success]).toEqual([answer, true]);
      }
    }
    // The draw reaches both sides: answers accepted, and answers refused.
    expect(accepted).toBeGreaterThan(100);
    expect(accepted).toBeLessThan(20_000);
  });

  it('answers an accepted answer as it came, and a refused one with zod\'s own error', () => {
    const answer = { object: 'list', data: [{ id: 'a', amount: 5, charge: null, more: 1 }], has_more: false, url: '/v1/things' };
    expect(validate(site, list, answer)).toBe(answer);
    const wrong = { ...answer, has_more: 'no' };
    expect(() => validate(site, list, wrong)).toThrow(IntegrationError);
    expect(() => validate(site, list, wrong)).toThrow(/field has_more: .*, but got "no"/);
  });
});
