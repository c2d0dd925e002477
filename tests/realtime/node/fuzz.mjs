// Sends hostile payloads for every client event with the official socket.io-client, each with an ack.
// Usage: node fuzz.mjs <url> <token>; prints one JSON object: {answers: [{event, payload, ack}], after}.
// An ack that never came is recorded as {timeout: true}; `after` is the ack of a valid fix sent last.
import { io } from "socket.io-client";

const [url, token] = process.argv.slice(2);
const timer = setTimeout(() => finish({ error: "timeout" }, 2), 60000);

function finish(result, code = 0) {
  clearTimeout(timer);
  process.stdout.write(JSON.stringify(result) + "\n");
  process.exit(code);
}

const EVENTS = [
  "location:update",
  "location:batch",
  "worker:status",
  "dispatch:accept",
  "dispatch:decline",
  "tracking:subscribe",
  "tracking:unsubscribe",
  "fleet:subscribe",
];

function nested(depth) {
  let value = [];
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

function nestedObject(depth) {
  let value = {};
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

const now = Date.now();
const fix = { coordinates: [-0.1276, 51.5072], timestamp: now, accuracy: 5 };
const long = "b".repeat(60000);

// [label, arguments before the ack callback]
const HOSTILE = [
  ["nothing", []],
  ["null", [null]],
  ["number", [42]],
  ["huge number", [1e308]],
  ["string", ["location"]],
  ["60 KB string", [long]],
  ["empty list", [[]]],
  ["empty object", [{}]],
  ["two payloads", [{}, {}]],
  ["binary", [new Uint8Array([1, 2, 3])]],
  ["binary field", [{ coordinates: new Uint8Array(16), offerId: new Uint8Array(4), bookingId: new Uint8Array(2) }]],
  ["nested 300 lists", [nested(300)]],
  ["nested 300 objects", [nestedObject(300)]],
  ["nested coordinates", [{ coordinates: nested(260), timestamp: now }]],
  ["proto keys", [JSON.parse('{"__proto__": {"online": true}, "constructor": {"prototype": {}}}')]],
  ["unknown field", [{ ...fix, offerId: "o1", bookingId: "b1", businessId: "b1", online: true, extra: 1 }]],
  ["online null", [{ online: null }]],
  ["available null", [{ online: true, available: null }]],
  ["string booleans", [{ online: "true", available: "false" }]],
  ["60 KB ids", [{ bookingId: long }]],
  ["60 KB offer", [{ offerId: long }]],
  ["60 KB business", [{ businessId: long }]],
  ["numeric ids", [{ bookingId: 1, offerId: 1, businessId: 1 }]],
  ["id with slashes", [{ bookingId: "../../etc", offerId: "a/b", businessId: "x y" }]],
  ["timestamp string", [{ coordinates: [0, 0], timestamp: "1714552200000" }]],
  ["timestamp huge", [{ coordinates: [0, 0], timestamp: 1e300 }]],
  ["timestamp negative", [{ coordinates: [0, 0], timestamp: -1 }]],
  ["coordinates out of range", [{ coordinates: [500, -500], timestamp: now }]],
  ["coordinates too many", [{ coordinates: [0, 0, 0, 0], timestamp: now }]],
  ["points null", [{ points: null }]],
  ["points of null", [{ points: [null, 1, "x"] }]],
  ["points over 500", [{ points: Array.from({ length: 501 }, () => fix) }]],
  ["points object", [{ points: { 0: fix } }]],
  ["over 64 KiB", [{ points: Array.from({ length: 400 }, () => ({ ...fix, bookingId: "x".repeat(60) })) }]],
];

const ALLOWED = new Set([
  "VALIDATION_ERROR",
  "FORBIDDEN",
  "NOT_FOUND",
  "PAYLOAD_TOO_LARGE",
  "RATE_LIMITED",
  "CONFLICT",
  "UNAUTHORIZED",
]);

const socket = io(url, { transports: ["websocket"], reconnection: false, auth: { token } });
socket.on("connect_error", (err) => finish({ connectError: err.message }, 2));

socket.on("connect", async () => {
  const answers = [];
  for (const event of EVENTS) {
    for (const [label, args] of HOSTILE) {
      let ack;
      try {
        ack = await socket.timeout(5000).emitWithAck(event, ...args);
      } catch {
        ack = { timeout: true };
      }
      const code = ack && ack.error ? ack.error.code : null;
      answers.push({ event, payload: label, ok: ack && ack.ok === true, code, timeout: !!ack.timeout });
    }
  }
  const after = await socket.timeout(5000).emitWithAck("location:update", { ...fix, timestamp: Date.now() });
  const bad = answers.filter((a) => a.timeout || (!a.ok && !ALLOWED.has(a.code)));
  socket.disconnect();
  finish({ count: answers.length, bad, after, connected: true });
});
