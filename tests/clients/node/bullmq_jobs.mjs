// A job queue as applications run one, through BullMQ unchanged (every BullMQ operation is a Lua
// script; its events are a stream that QueueEvents reads with XREAD BLOCK): plain jobs on two
// workers of concurrency 2 each, a delayed job, a prioritized one, a job that fails and is retried
// with a fixed backoff until its attempts run out, and a flow whose parent runs after its two
// children and reads their results. Prints one line of JSON per step, with no times, IDs or
// orders that vary from run to run, so two servers that behave alike print the same thing.
// Usage: node bullmq_jobs.mjs <port>
import { FlowProducer, Queue, QueueEvents, Worker } from "bullmq";
import Redis from "ioredis";

const port = Number(process.argv[2]);
const connection = { host: "127.0.0.1", port, maxRetriesPerRequest: null };
const admin = new Redis({ port, host: "127.0.0.1" });
await admin.flushall();
const out = (step, value) => console.log(JSON.stringify({ step, ...value }));

const name = "orders";
const queue = new Queue(name, { connection });
const events = new QueueEvents(name, { connection });
await events.waitUntilReady();
const completedEvents = new Set();
const failedEvents = [];
events.on("completed", ({ jobId }) => completedEvents.add(jobId));
events.on("failed", ({ failedReason }) => failedEvents.push(failedReason));

const processed = [];
const work = async (job) => {
  if (job.name === "failing") throw new Error(`boom ${job.attemptsMade}`);
  if (job.name === "parent") {
    const children = Object.values(await job.getChildrenValues()).sort((a, b) => a - b);
    processed.push(`parent:${children.join(",")}`);
    return children.reduce((a, b) => a + b, 0);
  }
  processed.push(`${job.name}:${job.data.n}`);
  return job.data.n * 2;
};
const workers = [0, 1].map(() => new Worker(name, work, { connection, concurrency: 2 }));
for (const w of workers) w.on("error", (e) => out("worker-error", { message: e.message }));

const plain = [];
for (let i = 0; i < 20; i++) plain.push(await queue.add("job", { n: i }));
await queue.add("delayed", { n: 100 }, { delay: 300 });
await queue.add("prio", { n: 200 }, { priority: 5 });
await queue.add("failing", {}, { attempts: 3, backoff: { type: "fixed", delay: 100 } });
const flow = new FlowProducer({ connection });
await flow.add({
  name: "parent",
  queueName: name,
  children: [
    { name: "child", queueName: name, data: { n: 301 } },
    { name: "child", queueName: name, data: { n: 302 } },
  ],
});

// Bounded wait until everything ran (25 completions, the failing job's last attempt).
for (let i = 0; i < 300; i++) {
  const c = await queue.getJobCounts("completed", "failed");
  if (c.completed === 25 && c.failed === 1 && completedEvents.size === 25) break;
  await new Promise((r) => setTimeout(r, 50));
}
out("counts", await queue.getJobCounts());
out("processed", { jobs: processed.sort() });
out("events", { completed: completedEvents.size, failed: failedEvents });
const failed = await queue.getFailed();
out("failed", { jobs: failed.map((j) => ({ name: j.name, reason: j.failedReason, attempts: j.attemptsMade })) });
const values = [];
for (const job of plain.slice(0, 5)) values.push((await queue.getJob(job.id)).returnvalue);
out("return-values", { values });
const completed = await queue.getCompleted(0, -1);
out("completed", { names: completed.map((j) => j.name).sort() });

// Pause and resume, a job removed while waiting, and the queue cleaned up.
for (const w of workers) await w.close();
const waiting = await queue.add("never", { n: 0 });
await queue.pause();
out("paused", { paused: await queue.isPaused(), waiting: await queue.getWaitingCount() });
await waiting.remove();
await queue.resume();
out("resumed", { paused: await queue.isPaused(), waiting: await queue.getWaitingCount() });
await queue.obliterate({ force: true });
out("obliterated", { keys: (await admin.keys(`bull:${name}:*`)).length });

await events.close();
await flow.close();
await queue.close();
await admin.quit();
