// Walkers for the benchmarks in scripts/bench/, driving a server with the official socket.io-client.
//
//   node walkers.mjs stream <config.json>   every socket loops: emit `location:update`, await its ack
//   node walkers.mjs idle <config.json>     connect every socket, then hold them idle
//
// config: {url, tokens: [..], warmupMs, durationMs, online, holdMs}
// `stream` prints one JSON object (acks/s, latency percentiles, errors, accepted ratio) and exits.
// `idle` prints {"connected": n} once every socket is up, then keeps them open until a line arrives on
// stdin (or holdMs passes), disconnects, prints {"closed": n} and exits. Both stop by themselves.
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { io } from "socket.io-client";

const [mode, configPath] = process.argv.slice(2);
const config = JSON.parse(readFileSync(configPath, "utf8"));
const tokens = config.tokens;
const ACK_TIMEOUT_MS = 10000;
const CONNECT_BATCH = 50;
const hardStop = setTimeout(() => {
  process.stdout.write(JSON.stringify({ error: "hard timeout" }) + "\n");
  process.exit(2);
}, (config.warmupMs ?? 0) + (config.durationMs ?? 0) + (config.holdMs ?? 0) + 120000);

const errors = { connect: 0, disconnect: 0, timeout: 0, nack: 0 };
const errorCodes = {};

function connectOne(token) {
  return new Promise((resolve) => {
    const socket = io(config.url, {
      transports: ["websocket"],
      auth: { token },
      reconnection: false,
      timeout: 20000,
      forceNew: true,
    });
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", (err) => {
      errors.connect += 1;
      errorCodes[`connect:${err.message}`] = (errorCodes[`connect:${err.message}`] ?? 0) + 1;
      resolve(null);
    });
  });
}

async function connectAll() {
  const sockets = [];
  for (let i = 0; i < tokens.length; i += CONNECT_BATCH) {
    const batch = await Promise.all(tokens.slice(i, i + CONNECT_BATCH).map(connectOne));
    sockets.push(...batch);
  }
  return sockets.filter((s) => s !== null);
}

function percentile(sorted, q) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)))];
}

// A walker strolling at 1.4 m/s in a fixed direction from a random start near Paris: each fix is where
// they are at its timestamp, so the implied speed is always plausible however fast fixes are sent.
function walker(index) {
  const lat0 = 48.85 + (Math.random() - 0.5) * 0.2;
  const lng0 = 2.35 + (Math.random() - 0.5) * 0.3;
  const heading = Math.random() * 2 * Math.PI;
  const t0 = Date.now();
  const mPerDegLat = 111320;
  const mPerDegLng = 111320 * Math.cos((lat0 * Math.PI) / 180);
  let last = 0;
  return () => {
    const ts = Math.max(Date.now(), last + 1);
    last = ts;
    const metres = (1.4 * (ts - t0)) / 1000;
    return {
      coordinates: [lng0 + (metres * Math.sin(heading)) / mPerDegLng, lat0 + (metres * Math.cos(heading)) / mPerDegLat],
      timestamp: ts,
      accuracy: 5 + (index % 10),
    };
  };
}

async function stream() {
  const sockets = await connectAll();
  for (const socket of sockets) {
    socket.on("disconnect", (reason) => {
      if (reason !== "io client disconnect") errors.disconnect += 1;
    });
  }
  if (config.online) {
    const acks = await Promise.all(
      sockets.map((s) =>
        s
          .timeout(ACK_TIMEOUT_MS)
          .emitWithAck("worker:status", { online: true, available: true })
          .catch(() => ({ ok: false })),
      ),
    );
    const failed = acks.filter((a) => !a.ok).length;
    if (failed) errorCodes["status:failed"] = failed;
  }
  const start = performance.now();
  const measureFrom = start + config.warmupMs;
  const measureTo = measureFrom + config.durationMs;
  const latencies = [];
  let acks = 0;
  let accepted = 0;
  const cpuBefore = process.cpuUsage();
  let cpuAtStart = null;
  const loops = sockets.map(async (socket, index) => {
    const next = walker(index);
    for (;;) {
      const sent = performance.now();
      if (sent >= measureTo) return;
      if (cpuAtStart === null && sent >= measureFrom) cpuAtStart = process.cpuUsage(cpuBefore);
      let ack;
      try {
        ack = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck("location:update", next());
      } catch {
        errors.timeout += 1;
        if (!socket.connected) return;
        continue;
      }
      const done = performance.now();
      if (sent < measureFrom || done > measureTo) continue;
      acks += 1;
      latencies.push(done - sent);
      if (ack && ack.ok) {
        accepted += ack.accepted ?? 0;
      } else {
        errors.nack += 1;
        const code = ack?.error?.code ?? "malformed";
        errorCodes[code] = (errorCodes[code] ?? 0) + 1;
      }
    }
  });
  await Promise.all(loops);
  const cpu = process.cpuUsage(cpuBefore);
  const clientCpuS = (cpu.user + cpu.system - ((cpuAtStart?.user ?? 0) + (cpuAtStart?.system ?? 0))) / 1e6;
  for (const socket of sockets) socket.disconnect();
  latencies.sort((a, b) => a - b);
  const seconds = config.durationMs / 1000;
  return {
    sockets: sockets.length,
    seconds,
    acks,
    acksPerS: acks / seconds,
    acceptedRatio: acks ? accepted / acks : 0,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    maxMs: latencies.length ? latencies[latencies.length - 1] : null,
    errors: errors.connect + errors.disconnect + errors.timeout + errors.nack,
    errorKinds: errors,
    errorCodes,
    clientCpuShare: clientCpuS / seconds,
  };
}

async function idle() {
  const sockets = await connectAll();
  process.stdout.write(JSON.stringify({ connected: sockets.length, errors: errors.connect, errorCodes }) + "\n");
  await new Promise((resolve) => {
    const timer = setTimeout(resolve, config.holdMs);
    process.stdin.once("data", () => {
      clearTimeout(timer);
      resolve();
    });
    process.stdin.once("end", () => {
      clearTimeout(timer);
      resolve();
    });
  });
  for (const socket of sockets) socket.disconnect();
  return { closed: sockets.length };
}

const result = mode === "idle" ? await idle() : await stream();
clearTimeout(hardStop);
process.stdout.write(JSON.stringify(result) + "\n");
process.exit(0);
