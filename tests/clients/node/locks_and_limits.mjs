// Distributed locks and rate limiters as applications run them, through real libraries:
// redlock (Redlock's acquire/extend/release scripts, EVALSHA falling back to EVAL, on ioredis),
// rate-limiter-flexible's RateLimiterRedis (its consume script through ioredis's defineCommand),
// and a sliding-window limiter of our own (ZSET in one script, and the same as a function
// library called by FCALL). Every step prints a line of JSON; the output holds no times or
// random values, so two servers that behave alike print the same thing.
// Usage: node locks_and_limits.mjs <port>
import Redis from "ioredis";
import Redlock from "redlock";
import { RateLimiterRedis } from "rate-limiter-flexible";

const port = Number(process.argv[2]);
const client = new Redis({ port, host: "127.0.0.1", lazyConnect: true });
const other = new Redis({ port, host: "127.0.0.1", lazyConnect: true });
await client.connect();
await other.connect();
await client.flushall();
await client.function("FLUSH");
await client.script("FLUSH");
const out = (step, value) => console.log(JSON.stringify({ step, ...value }));

// Redlock: a second holder is refused until the first releases; extend keeps the lock.
const a = new Redlock([client], { retryCount: 0 });
const b = new Redlock([other], { retryCount: 0 });
const lock = await a.acquire(["orders:42"], 5000);
out("acquired", { ttlSet: (await client.pttl("orders:42")) > 0 });
try {
  await b.acquire(["orders:42"], 5000);
  out("second", { acquired: true });
} catch (e) {
  out("second", { acquired: false, error: e.name });
}
const extended = await lock.extend(10000);
out("extended", { longer: (await client.pttl("orders:42")) > 5000, same: extended.value === lock.value });
await extended.release();
out("released", { exists: await client.exists("orders:42") });
const lock2 = await b.acquire(["orders:42"], 5000);
out("second-after-release", { acquired: true });
// A release by a holder whose lock expired and was taken over must not free the new one.
await client.set("orders:43", "someone-else");
const stale = await a.acquire(["orders:44"], 5000);
await client.set("orders:44", "taken-over");
try {
  await stale.release();
  out("stale-release", { released: true });
} catch (e) {
  out("stale-release", { released: false, error: e.name });
}
out("taken-over-kept", { value: await client.get("orders:44") });
await lock2.release();

// rate-limiter-flexible: 3 points per 10 s.
const limiter = new RateLimiterRedis({ storeClient: client, points: 3, duration: 10, keyPrefix: "rl" });
for (let i = 1; i <= 5; i++) {
  try {
    const r = await limiter.consume("user:7");
    out("consume", { i, allowed: true, remaining: r.remainingPoints, consumed: r.consumedPoints });
  } catch (r) {
    out("consume", { i, allowed: false, remaining: r.remainingPoints, waits: r.msBeforeNext > 0 });
  }
}
await limiter.reward("user:7", 2);
const after = await limiter.get("user:7");
out("after-reward", { consumed: after.consumedPoints });

// A sliding window of 1000 ms allowing 3 calls, at explicit times.
const slidingLua = `
local key, now, window, limit = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
if count < limit then
  redis.call('ZADD', key, now, ARGV[4])
  redis.call('PEXPIRE', key, window)
  return {1, limit - count - 1}
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return {0, tonumber(oldest[2]) + window - now}`;
client.defineCommand("sliding", { numberOfKeys: 1, lua: slidingLua });
const times = [0, 100, 200, 300, 999, 1000, 1101, 1150, 1250, 2500];
for (const [i, t] of times.entries()) {
  out("sliding", { t, reply: await client.sliding("window:api", 1e6 + t, 1000, 3, `req${i}`) });
}
await client.function("LOAD", "REPLACE",
  "#!lua name=limits\nredis.register_function('sliding', function(keys, args)" +
  slidingLua.replace(/KEYS/g, "keys").replace(/ARGV/g, "args") + "\nend)");
for (const [i, t] of times.entries()) {
  out("fcall-sliding", { t, reply: await client.fcall("sliding", 1, "window:fn", 1e6 + t, 1000, 3, `req${i}`) });
}
await client.quit();
await other.quit();
