// node-redis's client-side caching (RESP3 CLIENT TRACKING) against a server: usage
// `node client_side_cache.mjs PORT`. A reader with a cache reads a key twice (the second read
// is a hit), a writer on another connection changes it (the server's invalidation drops the
// cached copy: the next read is a miss and sees the new value), then FLUSHALL (a null
// invalidation: everything dropped). Prints what was read and the cache's counters as JSON.
import { createClient, BasicClientSideCache } from 'redis';

const port = Number(process.argv[2]);
const socket = { port, host: '127.0.0.1' };
const cache = new BasicClientSideCache({ ttl: 0, maxEntries: 0, evictPolicy: 'LRU' });
const reader = createClient({ socket, RESP: 3, clientSideCache: cache });
const writer = createClient({ socket });
const settle = () => new Promise((resolve) => setTimeout(resolve, 200));
await reader.connect();
await writer.connect();
await writer.set('csc:k', 'v1');
const first = await reader.get('csc:k');
const cached = await reader.get('csc:k');
const afterTwoReads = cache.stats();
await writer.set('csc:k', 'v2');
await settle();
const afterWrite = await reader.get('csc:k');
await writer.flushAll();
await settle();
const afterFlush = await reader.get('csc:k');
const stats = cache.stats();
console.log(JSON.stringify({
  first, cached, afterWrite, afterFlush,
  hitsAfterTwoReads: afterTwoReads.hitCount, hits: stats.hitCount, misses: stats.missCount,
  evictions: stats.evictionCount,
}));
await reader.quit();
await writer.quit();
