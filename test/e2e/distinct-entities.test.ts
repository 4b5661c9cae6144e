import { startTarget, type RunningTarget } from '../../bench/federation/gateways';
import { NESTED } from '../../bench/federation/queries';
import { serveBenchSubgraphs, type RunningBenchSubgraphs } from '../../bench/federation/serve-subgraphs';
import { composeBenchSupergraph } from '../../bench/federation/supergraph';

/**
 * The federation benchmark's nested query names the same products and authors again and again (under every review
 * of them). Our gateway asks its subgraphs for each entity once per fetch, and must answer exactly what Apollo
 * Gateway, which asks once per place, answers.
 */
describe('entity fetches name each entity once', () => {
  let subgraphs: RunningBenchSubgraphs;
  const targets: RunningTarget[] = [];

  beforeAll(async () => {
    subgraphs = await serveBenchSubgraphs();
  });

  afterAll(async () => {
    await Promise.all(targets.map((target) => target.close()));
    await subgraphs?.close();
  });

  /** The nested query's answer through one gateway, and the representations its subgraph fetches carried. */
  async function nestedThrough(kind: 'apollo' | 'ours'): Promise<{ answer: unknown; representations: number }> {
    const target = await startTarget(kind, composeBenchSupergraph(subgraphs.origin));
    targets.push(target);
    const before = subgraphs.traffic.representations;
    const response = await fetch(target.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer reader-1' },
      body: JSON.stringify({ query: NESTED.query }),
    });
    return { answer: await response.json(), representations: subgraphs.traffic.representations - before };
  }

  it('answers the nested query as Apollo Gateway does, with far fewer representations sent', async () => {
    const apollo = await nestedThrough('apollo');
    const ours = await nestedThrough('ours');

    expect(apollo.answer).toMatchObject({ data: { me: { reviews: expect.any(Array) }, topProducts: expect.any(Array) } });
    expect(ours.answer).toEqual(apollo.answer);
    // The catalogue has 10 users and 12 products; the query reaches them through well over a hundred places.
    expect(apollo.representations).toBeGreaterThan(100);
    expect(ours.representations).toBeLessThan(apollo.representations / 2);
  });
});
