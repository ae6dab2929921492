// The NFVO's web view: the session, the API calls with the user's token, and the feed of
// changes (the event stream, or polling); render.js draws what the API answers.
import { $, renderAlarms, renderMap, renderServices, renderSites } from "/ui/render.js";

const TOKEN_KEY = "archipel.token";
const USER_KEY = "archipel.user";
const POLL_MS = 3000;
const STREAM_RETRY_MS = 15000;
// The event stream only tells us that something changed; a burst of events makes one refresh.
const SETTLE_MS = 200;
// An event larger than this is no event of ours: the stream is dropped and polling takes over.
const MAX_EVENT_CHARS = 64 * 1024;
// Login tokens and API keys are far shorter, and of these characters only.
const MAX_TOKEN_CHARS = 256;
const TOKEN_SHAPE = new RegExp(`^[A-Za-z0-9._~+/=-]{1,${MAX_TOKEN_CHARS}}$`);

let token = null;
let poller = null;
let stream = null;
let streamRetry = null;
let settle = null;
let refreshing = null;
let refreshAgain = false;

class Unauthorized extends Error {}

// A call to the API with the token; a 401 ends the session.
async function api(method, path, body, signal) {
  const headers = { Authorization: `Bearer ${token}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: "no-store",
    signal,
  });
  if (response.status === 401) {
    logout("the session ended: log in again");
    throw new Unauthorized();
  }
  return response;
}

async function problem(response) {
  try {
    const body = await response.json();
    return body.detail || body.title || `HTTP ${response.status}`;
  } catch {
    return `HTTP ${response.status}`;
  }
}

// The next page of a collection, from its Link header (SOL013 paging).
function nextPage(response) {
  const match = (response.headers.get("Link") || "").match(/<([^>]*)>\s*;\s*rel="next"/);
  return match ? match[1] : null;
}

// A resource, or every page of a collection; `absent` is what a 404 gives (else an error).
async function getJson(path, absent) {
  let response = await api("GET", path);
  if (response.status === 404 && absent !== undefined) return absent;
  if (!response.ok) throw new Error(`${path}: ${await problem(response)}`);
  let body = await response.json();
  for (let next = nextPage(response); next && Array.isArray(body); next = nextPage(response)) {
    response = await api("GET", next);
    if (!response.ok) throw new Error(`${next}: ${await problem(response)}`);
    body = body.concat(await response.json());
  }
  return body;
}

// Alarms come from a route an older NFVO lacks: absent is not an error.
function getAlarms() {
  return getJson("/nsfm/v1/alarms", null);
}

async function refresh() {
  if (refreshing) {
    refreshAgain = true;
    return refreshing;
  }
  refreshing = (async () => {
    do {
      refreshAgain = false;
      try {
        const [sites, instances, alarms] = await Promise.all([
          getJson("/sites"),
          getJson("/nslcm/v1/ns_instances"),
          getAlarms(),
        ]);
        renderMap(sites, instances);
        renderSites(sites);
        renderAlarms(alarms);
        renderServices(instances, heal);
        $("error").textContent = "";
        document.body.dataset.loaded = new Date().toISOString();
      } catch (err) {
        if (err instanceof Unauthorized) return;
        $("error").textContent = `could not read the NFVO: ${err.message}`;
      }
    } while (refreshAgain && token);
  })();
  try {
    await refreshing;
  } finally {
    refreshing = null;
  }
}

async function heal(id, button, note) {
  button.disabled = true;
  note.textContent = "asking for a heal…";
  try {
    const response = await api("POST", `/nslcm/v1/ns_instances/${encodeURIComponent(id)}/heal`, {});
    note.textContent =
      response.status === 202
        ? `heal started: ${response.headers.get("Location") || "operation accepted"}`
        : `heal refused: ${await problem(response)}`;
  } catch (err) {
    if (!(err instanceof Unauthorized)) note.textContent = `heal failed: ${err.message}`;
  }
  button.disabled = false;
  schedule();
}

function schedule() {
  clearTimeout(settle);
  settle = setTimeout(refresh, SETTLE_MS);
}

function setFeed(mode, text) {
  $("feed").dataset.feed = mode;
  $("feed").textContent = text;
}

function startPolling() {
  if (poller === null && token) poller = setInterval(refresh, POLL_MS);
}

function stopPolling() {
  clearInterval(poller);
  poller = null;
}

// Server-sent events over fetch, since EventSource cannot send the Authorization header.
function dispatch(block) {
  let data = "";
  for (const line of block.split(/\r?\n/)) {
    if (line.startsWith("data:")) data += line.slice(5);
  }
  if (data.trim() !== "") schedule();
}

async function connectStream() {
  if (stream || !token) return;
  stream = new AbortController();
  try {
    const response = await api("GET", "/archipel/v1/events", undefined, stream.signal);
    if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
    stopPolling();
    setFeed("stream", "live");
    schedule();
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      const blocks = buffer.split(/\r?\n\r?\n/);
      buffer = blocks.pop();
      blocks.forEach(dispatch);
      if (buffer.length > MAX_EVENT_CHARS) throw new Error("an event too large");
    }
  } catch (err) {
    if (err instanceof Unauthorized) return;
  } finally {
    if (stream) stream.abort();
    stream = null;
  }
  if (!token) return;
  setFeed("poll", `polling every ${POLL_MS / 1000} s`);
  startPolling();
  clearTimeout(streamRetry);
  streamRetry = setTimeout(connectStream, STREAM_RETRY_MS);
}

function showView() {
  $("login").hidden = true;
  $("view").hidden = false;
  $("logout").hidden = false;
  $("user").textContent = sessionStorage.getItem(USER_KEY) || "";
  setFeed("poll", `polling every ${POLL_MS / 1000} s`);
  startPolling();
  refresh();
  connectStream();
}

function logout(message) {
  token = null;
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(USER_KEY);
  stopPolling();
  clearTimeout(streamRetry);
  if (stream) stream.abort();
  setFeed("off", "not connected");
  $("view").hidden = true;
  $("logout").hidden = true;
  $("user").textContent = "";
  $("login").hidden = false;
  $("login-error").textContent = message || "";
}

async function login(event) {
  event.preventDefault();
  const form = event.target;
  const body = { username: form.username.value, password: form.password.value };
  $("login-error").textContent = "";
  try {
    const response = await fetch("/auth/v1/login", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      cache: "no-store",
    });
    if (!response.ok) {
      $("login-error").textContent = `login refused: ${await problem(response)}`;
      return;
    }
    const answer = await response.json();
    form.password.value = "";
    token = answer.token;
    sessionStorage.setItem(TOKEN_KEY, token);
    sessionStorage.setItem(USER_KEY, `${answer.username} (${answer.role})`);
    showView();
  } catch (err) {
    $("login-error").textContent = `login failed: ${err.message}`;
  }
}

async function logoutClicked() {
  try {
    await api("POST", "/auth/v1/logout");
  } catch {
    // The session ends here whatever the NFVO answered.
  }
  logout();
}

// `#token=…` (a fragment never reaches a server) hands the page a token, then leaves the URL.
// Returns why it was refused, if it was.
function tokenFromFragment() {
  if (!location.hash.startsWith("#token=")) return null;
  const given = location.hash.slice("#token=".length);
  history.replaceState(null, "", location.pathname + location.search);
  if (!TOKEN_SHAPE.test(given)) {
    return `the token in the URL was refused: at most ${MAX_TOKEN_CHARS} letters, digits or -._~+/=`;
  }
  sessionStorage.setItem(TOKEN_KEY, given);
  return null;
}

document.addEventListener("DOMContentLoaded", () => {
  $("login-form").addEventListener("submit", login);
  $("logout").addEventListener("click", logoutClicked);
  const refused = tokenFromFragment();
  token = sessionStorage.getItem(TOKEN_KEY);
  if (token && !refused) showView();
  else logout(refused);
});
