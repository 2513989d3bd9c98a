// BullMQ throughput for bench/side_by_side.sh (phase bullmq): N jobs added in batches of 500,
// then 4 workers of concurrency 8 each complete them all; prints the jobs completed per second
// (from the first worker's start to the last completion). Usage: node bullmq_throughput.mjs
// <port> <jobs>
import { Queue, Worker } from "bullmq";
import Redis from "ioredis";

const [port, total] = [Number(process.argv[2]), Number(process.argv[3])];
const connection = { host: "127.0.0.1", port, maxRetriesPerRequest: null };
const admin = new Redis({ port, host: "127.0.0.1" });
await admin.del(...(await admin.keys("bull:bench:*")), "unused");
const queue = new Queue("bench", { connection });
for (let i = 0; i < total; i += 500) {
  const batch = [];
  for (let j = i; j < Math.min(total, i + 500); j++) batch.push({ name: "job", data: { n: j } });
  await queue.addBulk(batch);
}
let done = 0;
let finish;
const finished = new Promise((resolve) => (finish = resolve));
const start = process.hrtime.bigint();
const workers = [0, 1, 2, 3].map(() => {
  const w = new Worker("bench", async (job) => job.data.n, {
    connection,
    concurrency: 8,
    removeOnComplete: { count: 1000 },
  });
  w.on("completed", () => {
    if (++done === total) finish();
  });
  return w;
});
await finished;
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
console.log(Math.round(total / seconds));
for (const w of workers) await w.close();
await queue.obliterate({ force: true });
await queue.close();
await admin.quit();
