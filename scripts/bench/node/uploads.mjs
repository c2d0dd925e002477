// Simultaneous uploads for scripts/bench/bench_media.py: one request per (token, path), all started at
// once over their own connections, each sending the same prebuilt multipart body (or a GET when the
// body file is null).
//
//   node uploads.mjs <config.json>   config: {url, requests: [{token, path}], bodyFile, boundary}
//
// Prints one JSON object: latencies in ms (one per request, in order) and errors (non-2xx or failed).
import { readFileSync } from "node:fs";
import http from "node:http";
import { performance } from "node:perf_hooks";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const target = new URL(config.url);
const body = config.bodyFile ? readFileSync(config.bodyFile) : null;
const hardStop = setTimeout(() => {
  process.stdout.write(JSON.stringify({ error: "hard timeout" }) + "\n");
  process.exit(2);
}, 120000);

function send({ token, path }) {
  return new Promise((resolve) => {
    const headers = { authorization: `Bearer ${token}` };
    if (body) {
      headers["content-type"] = `multipart/form-data; boundary=${config.boundary}`;
      headers["content-length"] = String(body.length);
    }
    const started = performance.now();
    const req = http.request(
      { host: target.hostname, port: target.port, path, method: body ? "POST" : "GET", headers, agent: false },
      (res) => {
        res.resume();
        res.on("end", () => resolve({ ms: performance.now() - started, ok: res.statusCode < 300 }));
      },
    );
    req.setTimeout(60000, () => req.destroy(new Error("timeout")));
    req.on("error", () => resolve({ ms: performance.now() - started, ok: false }));
    req.end(body ?? undefined);
  });
}

const results = await Promise.all(config.requests.map(send));
clearTimeout(hardStop);
process.stdout.write(
  JSON.stringify({ latencies: results.map((r) => r.ms), errors: results.filter((r) => !r.ok).length }) + "\n",
);
