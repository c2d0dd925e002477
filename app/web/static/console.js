// The dispatcher's console: sign-in (refresh token in an httpOnly cookie, access token in memory only),
// the fleet live on a map over `fleet:subscribe`, today's bookings with their dispatch state, confirm.
import { io } from "/static/vendor/socket.io-4.8.4.esm.min.js";
import { createMap, dotIcon, latLng } from "/static/map.js";

const L = window.L;
const STALE_MS = 2 * 60 * 1000;
const BOOKINGS_REFRESH_MS = 15 * 1000;
// Booking events come in bursts (each booking changes state several times): the list reloads at most this often.
const BOOKINGS_RELOAD_GAP_MS = 1000;
const csrfToken = document.body.dataset.csrfToken;

const state = {
  accessToken: null,
  user: null,
  socket: null,
  map: null,
  cluster: null,
  workers: new Map(), // workerId -> {name, online, available, coordinates, seenAt, marker}
  walking: new Set(), // workerIds with a walk in progress today
  fixes: new Map(), // workerId -> its latest fleet:location not drawn yet
  drawQueued: false,
  bookingRows: new Map(), // bookingId -> {key, row}: a row is rebuilt only when what it shows changes
  walkerChoice: null, // the <select> of walkers each pending row clones, rebuilt when the fleet grows
  bookingsLoad: null, // the reload in flight, if any
  bookingsAgain: false, // an event asked for a reload while one was in flight
  bookingsLoadedAt: 0,
  refreshTimer: null,
  bookingsTimer: null,
};

const $ = (id) => document.getElementById(id);

async function sessionCall(path, body) {
  const response = await fetch(`/console/session${path}`, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken },
    body: JSON.stringify(body || {}),
  });
  const payload = await response.json();
  if (!response.ok) throw new Error(payload.error ? payload.error.message : response.statusText);
  return payload.data;
}

async function api(method, path, body) {
  const call = () =>
    fetch(path, {
      method,
      headers: { Authorization: `Bearer ${state.accessToken}`, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  let response = await call();
  if (response.status === 401 && (await refreshSession())) response = await call();
  const payload = await response.json();
  if (!response.ok) throw new Error(payload.error ? payload.error.message : response.statusText);
  return payload;
}

function startSession(session) {
  state.accessToken = session.accessToken;
  state.user = session.user;
  clearTimeout(state.refreshTimer);
  // Renew a minute before the access token runs out (never sooner than every 10 s).
  const renewInS = Math.max(10, session.expiresIn - 60);
  state.refreshTimer = setTimeout(refreshSession, renewInS * 1000);
}

async function refreshSession() {
  try {
    startSession(await sessionCall("/refresh"));
    return true;
  } catch {
    showSignIn();
    return false;
  }
}

function showSignIn() {
  state.accessToken = null;
  if (state.socket) state.socket.disconnect();
  clearInterval(state.bookingsTimer);
  $("console").hidden = true;
  $("sign-out").hidden = true;
  $("who").textContent = "";
  $("sign-in").hidden = false;
}

async function showConsole() {
  $("sign-in").hidden = true;
  $("console").hidden = false;
  $("sign-out").hidden = false;
  $("who").textContent = `${state.user.firstName} ${state.user.lastName}`;
  if (!state.map) {
    state.map = createMap($("fleet-map"));
    state.cluster = L.markerClusterGroup({ chunkedLoading: true });
    state.map.addLayer(state.cluster);
  }
  await loadWorkers();
  await loadBookings();
  connectSocket();
  clearInterval(state.bookingsTimer);
  state.bookingsTimer = setInterval(() => {
    loadBookings();
    // States age into "stale" without any event.
    drawWorkers(state.workers.keys());
    summarize();
  }, BOOKINGS_REFRESH_MS);
}

// -- Fleet ------------------------------------------------------------------------------------------

function businessPath(suffix) {
  return `/v1/businesses/${encodeURIComponent(state.user.businessId)}${suffix}`;
}

async function loadWorkers() {
  for (let page = 1; ; page += 1) {
    const payload = await api("GET", businessPath(`/workers?page=${page}&limit=100`));
    for (const worker of payload.data) {
      const known = state.workers.get(worker.id);
      const name = `${worker.firstName} ${worker.lastName}`;
      if (known) known.name = name;
      else state.workers.set(worker.id, { name, online: false, available: false, coordinates: null, seenAt: 0 });
    }
    if (page * payload.meta.limit >= payload.meta.total) return;
  }
}

function workerState(worker, now) {
  if (!worker.online) return "offline";
  if (now - worker.seenAt > STALE_MS) return "stale";
  if (state.walking.has(worker.id) || !worker.available) return "walking";
  return "available";
}

function markerIcon(status) {
  return dotIcon(`worker ${status}`);
}

// Draws these workers in one batch: new markers added, moved ones placed again, changed states re-iconed.
// A marker inside the cluster layer re-clusters itself on each setLatLng (a removal and an addition, with
// the cluster icons refreshed each time); a thousand walkers moving once a second that way would block
// the page, so moved markers leave the layer and come back together, costing one re-clustering per batch.
function drawWorkers(workerIds) {
  const now = Date.now();
  const added = [];
  const moved = [];
  for (const workerId of workerIds) {
    const worker = state.workers.get(workerId);
    if (!worker || !worker.coordinates) continue;
    worker.id = workerId;
    const status = workerState(worker, now);
    const [lat, lng] = latLng(worker.coordinates);
    if (!worker.marker) {
      worker.marker = L.marker([lat, lng], { icon: markerIcon(status), title: worker.name || workerId });
      worker.marker.bindTooltip(() => `${worker.name || workerId}: ${workerState(worker, Date.now())}`);
      added.push(worker.marker);
    } else {
      const at = worker.marker.getLatLng();
      if (at.lat !== lat || at.lng !== lng) moved.push({ marker: worker.marker, to: [lat, lng] });
      if (worker.drawn !== status) worker.marker.setIcon(markerIcon(status));
    }
    worker.drawn = status;
  }
  if (moved.length) {
    state.cluster.removeLayers(moved.map((move) => move.marker));
    // The layer still listens to its former markers' moves (and would put each back on its own): its own
    // bulk moves mute that listener the same way.
    state.cluster._ignoreMove = true;
    try {
      for (const move of moved) move.marker.setLatLng(move.to);
    } finally {
      state.cluster._ignoreMove = false;
    }
    for (const move of moved) added.push(move.marker);
  }
  if (added.length) state.cluster.addLayers(added);
}

function summarize() {
  const counts = { available: 0, walking: 0, stale: 0, offline: 0 };
  const now = Date.now();
  for (const [id, worker] of state.workers) {
    worker.id = id;
    counts[workerState(worker, now)] += 1;
  }
  $("fleet-summary").replaceChildren(
    ...Object.entries(counts).map(([name, count]) => {
      const item = document.createElement("li");
      item.className = `legend-${name}`;
      item.textContent = `${count} ${name === "walking" ? "on a walk" : name}`;
      return item;
    }),
  );
}

function applySnapshot(workers) {
  const points = [];
  const ids = [];
  for (const entry of workers) {
    const worker = state.workers.get(entry.workerId) || { name: null };
    Object.assign(worker, {
      online: entry.online,
      available: entry.available,
      coordinates: entry.coordinates,
      seenAt: entry.timestamp || 0,
    });
    state.workers.set(entry.workerId, worker);
    if (entry.coordinates) points.push(latLng(entry.coordinates));
    ids.push(entry.workerId);
  }
  drawWorkers(ids);
  if (points.length) state.map.fitBounds(L.latLngBounds(points).pad(0.2), { maxZoom: 16 });
  summarize();
}

function onFleetLocation(fix) {
  // Only the latest fix of each worker is drawn, once per animation frame (see drawWorkers).
  state.fixes.set(fix.workerId, fix);
  if (!state.drawQueued) {
    state.drawQueued = true;
    requestAnimationFrame(drawFixes);
  }
}

function drawFixes() {
  state.drawQueued = false;
  const fixes = [...state.fixes.values()];
  state.fixes.clear();
  let newcomers = false;
  for (const fix of fixes) {
    const worker = state.workers.get(fix.workerId) || { name: null };
    newcomers = newcomers || !worker.coordinates;
    Object.assign(worker, { online: true, available: fix.available, coordinates: fix.coordinates, seenAt: fix.timestamp });
    state.workers.set(fix.workerId, worker);
  }
  drawWorkers(fixes.map((fix) => fix.workerId));
  if (newcomers && state.workers.size === 1) state.map.setView(latLng(fixes[0].coordinates), 15);
  else if (newcomers) summarize();
}

function connectSocket() {
  if (state.socket) state.socket.disconnect();
  // A function, so a reconnection presents the access token current at that time.
  const socket = io({ transports: ["websocket"], auth: (answer) => answer({ token: state.accessToken }) });
  state.socket = socket;
  socket.on("connect", () => {
    socket.emit("fleet:subscribe", { businessId: state.user.businessId }, (ack) => {
      if (ack && ack.ok) {
        applySnapshot(ack.workers);
        document.body.dataset.fleet = "live";
      }
      else $("console-error").textContent = ack && ack.error ? ack.error.message : "fleet unavailable";
    });
  });
  socket.on("connect_error", async (error) => {
    if (error.message === "unauthorized") await refreshSession();
  });
  socket.on("fleet:location", onFleetLocation);
  socket.on("booking:status", reloadBookingsSoon);
  socket.on("notification", reloadBookingsSoon);
}

// -- Bookings ---------------------------------------------------------------------------------------

function todayRange() {
  const start = new Date();
  start.setHours(0, 0, 0, 0);
  const end = new Date(start.getTime() + 24 * 3600 * 1000);
  return `from=${encodeURIComponent(start.toISOString())}&to=${encodeURIComponent(end.toISOString())}`;
}

function workerName(workerId) {
  const worker = workerId && state.workers.get(workerId);
  return worker && worker.name ? worker.name : workerId || "";
}

function dispatchText(booking) {
  const dispatch = booking.dispatch;
  if (!dispatch) return booking.workerId ? "assigned" : "";
  if (dispatch.state === "offered" && dispatch.current) return `offered to ${workerName(dispatch.current.workerId)}`;
  return dispatch.state;
}

function cell(text) {
  const td = document.createElement("td");
  td.textContent = text;
  return td;
}

// The walkers to choose from, built once per fleet size: a pending row clones it (a thousand options each).
function walkerChoice() {
  if (!state.walkerChoice || Number(state.walkerChoice.dataset.size) !== state.workers.size) {
    const select = document.createElement("select");
    select.append(new Option("Dispatcher picks", ""));
    for (const [id, worker] of state.workers) select.append(new Option(worker.name || id, id));
    select.dataset.size = String(state.workers.size);
    state.walkerChoice = select;
  }
  return state.walkerChoice;
}

function confirmCell(booking) {
  const td = document.createElement("td");
  if (booking.status !== "pending") return td;
  const select = walkerChoice().cloneNode(true);
  delete select.dataset.size;
  select.setAttribute("aria-label", `Walker for ${booking.bookingNumber}`);
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = "Confirm";
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await api("POST", `/v1/bookings/${encodeURIComponent(booking.id)}/confirm`, select.value ? { workerId: select.value } : {});
      $("console-error").textContent = "";
      await loadBookings();
    } catch (error) {
      $("console-error").textContent = `${booking.bookingNumber}: ${error.message}`;
      button.disabled = false;
    }
  });
  td.append(select, button);
  return td;
}

function bookingRow(booking) {
  const time = booking.scheduledAt ? new Date(booking.scheduledAt).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) : "asap";
  const cells = [booking.bookingNumber, time, booking.status.replace("_", " "), dispatchText(booking), workerName(booking.workerId)];
  // What the row shows: an unchanged booking keeps its row (and a walker already chosen in it). A pending
  // row's walker choice is rebuilt when the fleet grows.
  const choices = booking.status === "pending" ? state.workers.size : 0;
  const key = JSON.stringify([booking.status, choices, ...cells]);
  const known = state.bookingRows.get(booking.id);
  if (known && known.key === key) return known.row;
  const row = document.createElement("tr");
  row.dataset.bookingId = booking.id;
  row.className = `booking-${booking.status}`;
  row.append(...cells.map(cell), confirmCell(booking));
  state.bookingRows.set(booking.id, { key, row });
  return row;
}

async function loadBookings() {
  if (!state.accessToken) return;
  let payload;
  try {
    payload = await api("GET", businessPath(`/bookings?${todayRange()}&limit=100`));
  } catch (error) {
    $("console-error").textContent = error.message;
    return;
  }
  state.walking = new Set(payload.data.filter((b) => b.status === "in_progress").map((b) => b.workerId));
  const rows = payload.data.map(bookingRow);
  const shown = new Set(payload.data.map((booking) => booking.id));
  for (const id of state.bookingRows.keys()) if (!shown.has(id)) state.bookingRows.delete(id);
  const body = document.querySelector("#bookings tbody");
  const same = rows.length === body.children.length && rows.every((row, i) => body.children[i] === row);
  if (!same) body.replaceChildren(...rows);
}

// For events: one reload at a time, at most one every BOOKINGS_RELOAD_GAP_MS, none lost (an event during a
// reload asks for another after it).
function reloadBookingsSoon() {
  if (state.bookingsLoad) {
    state.bookingsAgain = true;
    return;
  }
  const wait = Math.max(0, state.bookingsLoadedAt + BOOKINGS_RELOAD_GAP_MS - Date.now());
  state.bookingsLoad = new Promise((resolve) => setTimeout(resolve, wait))
    .then(loadBookings)
    .finally(() => {
      state.bookingsLoad = null;
      state.bookingsLoadedAt = Date.now();
      if (state.bookingsAgain) {
        state.bookingsAgain = false;
        reloadBookingsSoon();
      }
    });
}

// -- Start ------------------------------------------------------------------------------------------

$("sign-in").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  $("sign-in-error").textContent = "";
  try {
    startSession(await sessionCall("", { email: form.get("email"), password: form.get("password") }));
    event.target.reset();
    await showConsole();
  } catch (error) {
    $("sign-in-error").textContent = error.message;
  }
});

$("sign-out").addEventListener("click", async () => {
  clearTimeout(state.refreshTimer);
  await sessionCall("/logout").catch(() => undefined);
  showSignIn();
});

// A reload keeps the session: the page says when the browser still holds the refresh token cookie.
if (document.body.dataset.signedIn && (await refreshSession())) await showConsole();
else showSignIn();
