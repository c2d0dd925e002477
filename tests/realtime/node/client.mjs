// Drives a Walky server with the official socket.io-client, the way the walker app does.
// Usage: node client.mjs <url> <token|-> <scenario> [default]; prints one JSON object on stdout.
// With `default`, the client keeps its default transports (long-polling, then the upgrade to WebSocket).
import { io } from "socket.io-client";

const [url, token, scenario, transports] = process.argv.slice(2);
const timer = setTimeout(() => finish({ error: "timeout" }, 2), 10000);

function finish(result, code = 0) {
  clearTimeout(timer);
  process.stdout.write(JSON.stringify(result) + "\n");
  process.exit(code);
}

const options = transports === "default" ? { reconnection: false } : { transports: ["websocket"], reconnection: false };
if (token !== "-") options.auth = { token };
const socket = io(url, options);

socket.on("connect_error", (err) => finish({ connectError: err.message }));

socket.on("connect", async () => {
  if (scenario !== "stream") return finish({ connected: true });
  const now = Date.now();
  const fix = (ts, lat) => ({ coordinates: [-0.1276, lat], timestamp: ts, accuracy: 5 });
  // The callback form of an acknowledgement, then emitWithAck (socket.io-client >= 4.6).
  const first = await new Promise((resolve) => socket.emit("location:update", fix(now - 3000, 51.5072), resolve));
  const second = await socket.timeout(5000).emitWithAck("location:update", fix(now - 2000, 51.50721));
  const duplicate = await socket.timeout(5000).emitWithAck("location:update", fix(now - 2000, 51.50721));
  const invalid = await socket.timeout(5000).emitWithAck("location:update", { coordinates: [500, 0], timestamp: now });
  const batch = await socket.timeout(5000).emitWithAck("location:batch", {
    points: [fix(now - 1000, 51.50722), fix(now, 51.50723)],
  });
  const status = await socket.timeout(5000).emitWithAck("worker:status", { online: true, available: true });
  const transport = socket.io.engine.transport.name;
  socket.disconnect();
  finish({ first, second, duplicate, invalid, batch, status, transport });
});
