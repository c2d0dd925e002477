// Closed-loop HTTP load for scripts/bench/: C keep-alive clients, each sending the next GET as soon as
// the previous answer is read, for a fixed time. Paths rotate through the given list.
//
//   node http_load.mjs <config.json>   config: {url, paths: [..], token, clients, warmupMs, durationMs}
//
// Prints one JSON object: requests/s, p50/p99/max latency in ms, errors (non-2xx or failed requests).
import { readFileSync } from "node:fs";
import http from "node:http";
import { performance } from "node:perf_hooks";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const target = new URL(config.url);
const agent = new http.Agent({ keepAlive: true, maxSockets: config.clients });
const headers = config.token ? { authorization: `Bearer ${config.token}` } : {};
const hardStop = setTimeout(() => {
  process.stdout.write(JSON.stringify({ error: "hard timeout" }) + "\n");
  process.exit(2);
}, config.warmupMs + config.durationMs + 60000);

function get(path) {
  return new Promise((resolve) => {
    const req = http.request(
      { host: target.hostname, port: target.port, path, method: "GET", agent, headers },
      (res) => {
        let size = 0;
        res.on("data", (chunk) => (size += chunk.length));
        res.on("end", () => resolve({ status: res.statusCode, size }));
      },
    );
    req.setTimeout(10000, () => req.destroy(new Error("timeout")));
    req.on("error", () => resolve({ status: 0, size: 0 }));
    req.end();
  });
}

const start = performance.now();
const measureFrom = start + config.warmupMs;
const measureTo = measureFrom + config.durationMs;
const latencies = [];
let errors = 0;
let bytes = 0;
let next = 0;

async function client() {
  for (;;) {
    const sent = performance.now();
    if (sent >= measureTo) return;
    const path = config.paths[next++ % config.paths.length];
    const { status, size } = await get(path);
    const done = performance.now();
    if (sent < measureFrom || done > measureTo) continue;
    latencies.push(done - sent);
    bytes += size;
    if (status < 200 || status >= 300) errors += 1;
  }
}

await Promise.all(Array.from({ length: config.clients }, client));
clearTimeout(hardStop);
agent.destroy();
latencies.sort((a, b) => a - b);
const at = (q) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.round(q * (latencies.length - 1)))] : null);
const seconds = config.durationMs / 1000;
process.stdout.write(
  JSON.stringify({
    requests: latencies.length,
    rps: latencies.length / seconds,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    maxMs: latencies.length ? latencies[latencies.length - 1] : null,
    errors,
    meanBytes: latencies.length ? bytes / latencies.length : 0,
  }) + "\n",
);
process.exit(0);
