import { CardFactsCache, cardKey, type CachedFacts } from '../../api/verifications/cardFactsCache';

/** The cache's race guard, with reads the test releases by hand. */
const facts = (status: 'ACTIVE' | 'REPORTED_LOST'): CachedFacts => ({ status, validFrom: '2020-01-01', validUntil: '2040-01-01', holderName: '张三' });

function controlledReads() {
  const waiting: Array<{ resolve: (value: CachedFacts) => void }> = [];
  const read = jest.fn(() => new Promise<CachedFacts>((resolve) => waiting.push({ resolve })));
  return { read, waiting };
}

const key = cardKey('110105194912310029', '2020-01-01');

describe('CardFactsCache', () => {
  test('when a read finishes, then its facts are cached; concurrent misses share one read', async () => {
    const { read, waiting } = controlledReads();
    const cache = new CardFactsCache(10, read);
    cache.resume();
    const first = cache.load('110105194912310029', '2020-01-01');
    const second = cache.load('110105194912310029', '2020-01-01');
    expect(read).toHaveBeenCalledTimes(1);
    waiting[0].resolve(facts('ACTIVE'));
    await Promise.all([first, second]);
    expect(cache.peek(key)?.facts).toEqual(facts('ACTIVE'));
  });

  test('when the card is invalidated while a read is in flight, then the read does not fill the cache and later requests read afresh', async () => {
    const { read, waiting } = controlledReads();
    const cache = new CardFactsCache(10, read);
    cache.resume();
    const before = cache.load('110105194912310029', '2020-01-01');
    cache.invalidate(key); // the loss report committed; the read above may have seen the old row
    const after = cache.load('110105194912310029', '2020-01-01');
    expect(read).toHaveBeenCalledTimes(2);
    waiting[1].resolve(facts('REPORTED_LOST'));
    waiting[0].resolve(facts('ACTIVE')); // the stale read finishes last
    expect(await after).toEqual(facts('REPORTED_LOST'));
    await before;
    expect(cache.peek(key)?.facts).toEqual(facts('REPORTED_LOST'));
  });

  test('when the cache is suspended, then nothing is served or kept until it resumes empty', async () => {
    const { read, waiting } = controlledReads();
    const cache = new CardFactsCache(10, read);
    cache.resume();
    const load = cache.load('110105194912310029', '2020-01-01');
    waiting[0].resolve(facts('ACTIVE'));
    await load;
    cache.suspend();
    expect(cache.peek(key)).toBeUndefined();
    const whileDown = cache.load('110105194912310029', '2020-01-01');
    waiting[1].resolve(facts('ACTIVE'));
    await whileDown;
    cache.resume();
    expect(cache.peek(key)).toBeUndefined();
  });

  test('when the size is 0, then nothing is ever cached', async () => {
    const cache = new CardFactsCache(0, async () => facts('ACTIVE'));
    cache.resume();
    await cache.load('110105194912310029', '2020-01-01');
    expect(cache.peek(key)).toBeUndefined();
  });
});
