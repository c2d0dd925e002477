// The live walk behind a share link: the walker's marker moving with each `tracking:location`, the trail
// as it grows, walk events as icons, the status (on the way with ETA, arrived, walking, done).
import { io } from "/static/vendor/socket.io-4.8.4.esm.min.js";
import { createMap, dotIcon, latLng } from "/static/map.js";

const L = window.L;
const shareToken = document.body.dataset.shareToken;
const EVENT_ICONS = { pee: "💧", poo: "💩", water: "🚰", food: "🍖", photo: "📷", note: "📝" };

const map = createMap(document.getElementById("walk-map"));
const trail = L.polyline([], { className: "trail" }).addTo(map);
let walker = null;
let walkerName = "Your walker";
let status = null;
let etaS = null;
// Epoch ms of the walk's first and latest fixes seen by this page, for the report card's duration.
let walkFirstMs = null;
let walkLastMs = null;

function minutes(seconds) {
  return `${Math.max(1, Math.round(seconds / 60))} min`;
}

function showStatus() {
  const text = {
    on_my_way: `${walkerName} is on the way${etaS != null ? `, about ${minutes(etaS)} away` : ""}`,
    arrived: `${walkerName} has arrived`,
    in_progress: `${walkerName} is walking`,
    completed: "The walk is done",
    confirmed: `${walkerName} will set off soon`,
    cancelled: "This walk was cancelled",
  }[status];
  document.getElementById("walk-status").textContent = text || "Waiting for the walk to start";
  document.body.dataset.walkStatus = status || "";
}

function ended() {
  document.querySelector("main").replaceChildren();
  const card = document.createElement("section");
  card.className = "ended card";
  const title = document.createElement("h1");
  title.textContent = "This link has ended";
  card.append(title);
  document.querySelector("main").append(card);
  document.title = "This link has ended · Walky";
}

function moveWalker(coordinates, follow) {
  const position = latLng(coordinates);
  if (!walker) {
    walker = L.marker(position, { icon: dotIcon("walker"), title: walkerName, keyboard: false }).addTo(map);
    map.setView(position, 16);
    // For the first-paint measurement (BENCHMARKS.md): when the walker's position first shows.
    performance.mark("walker-drawn");
  } else {
    walker.setLatLng(position);
    if (follow && !map.getBounds().pad(-0.1).contains(position)) map.panTo(position);
  }
}

function showReport() {
  const points = trail.getLatLngs();
  let distanceM = 0;
  for (let i = 1; i < points.length; i += 1) distanceM += map.distance(points[i - 1], points[i]);
  document.getElementById("report-distance").textContent = `${(distanceM / 1000).toFixed(2)} km`;
  const duration = walkFirstMs != null ? minutes((walkLastMs - walkFirstMs) / 1000) : "";
  document.getElementById("report-duration").textContent = duration;
  document.getElementById("report").hidden = false;
}

function addEvent(event) {
  const icon = EVENT_ICONS[event.type] || "•";
  if (event.coordinates) {
    L.marker(latLng(event.coordinates), { icon: dotIcon(`walk-event event-${event.type}`, icon), keyboard: false }).addTo(map);
  }
  const item = document.createElement("li");
  item.className = `event-${event.type}`;
  item.textContent = `${icon} ${event.type}${event.note ? `: ${event.note}` : ""}`;
  document.getElementById("walk-events").append(item);
}

function start() {
  // The walk as GET /v1/share/{token} answers it, written into the page by the server.
  const shared = JSON.parse(document.body.dataset.shared);
  walkerName = shared.walkerFirstName || walkerName;
  status = shared.status;
  etaS = shared.etaS ?? null;
  if (shared.trail && shared.trail.coordinates.length) trail.setLatLngs(shared.trail.coordinates.map(latLng));
  if (shared.last) moveWalker(shared.last.coordinates, false);
  if (status === "completed") showReport();
  showStatus();
  document.body.dataset.ready = "1";

  // No account token: this socket may only follow the walk by its share link.
  const socket = io({ transports: ["websocket"] });
  socket.on("connect", () => {
    socket.emit("tracking:subscribe", { shareToken }, (ack) => {
      if (!ack || !ack.ok) return ended();
      if (ack.status) status = ack.status;
      if (ack.last) moveWalker(ack.last.coordinates, true);
      showStatus();
    });
  });
  socket.on("tracking:location", (fix) => {
    if (status === "in_progress") {
      trail.addLatLng(latLng(fix.coordinates));
      walkFirstMs ??= fix.timestamp;
      walkLastMs = fix.timestamp;
    }
    if (fix.etaS != null) etaS = fix.etaS;
    moveWalker(fix.coordinates, true);
    showStatus();
  });
  socket.on("booking:status", (change) => {
    status = change.status;
    if (status === "in_progress") trail.setLatLngs([]);
    if (status === "completed") showReport();
    showStatus();
  });
  socket.on("geofence:arrived", () => {
    if (status === "on_my_way") status = "arrived";
    showStatus();
  });
  socket.on("walk:event", addEvent);
  // The link was revoked or ran out: the server stops sending the walk.
  socket.on("share:ended", () => {
    socket.disconnect();
    ended();
  });
}

start();
