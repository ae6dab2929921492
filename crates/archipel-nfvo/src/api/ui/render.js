// The web view's drawing: records of the API in, DOM and SVG out. Text is only ever set as
// text (never parsed as HTML), so nothing a record holds can run here.
export const $ = (id) => document.getElementById(id);

export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value !== undefined && value !== null) node.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function svg(tag, attrs, ...children) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, String(value));
  for (const child of children) node.append(child instanceof Node ? child : String(child));
  return node;
}

function state(value) {
  const text = value || "UNKNOWN";
  return el("span", { class: `state ${text}` }, text);
}

function reachability(site) {
  if (site.reachability) return site.reachability;
  if (site.reachable === true) return "REACHABLE";
  if (site.reachable === false) return "UNREACHABLE";
  return "UNKNOWN";
}

export function renderSites(sites) {
  const rows = sites.map((site) =>
    el(
      "tr",
      { "data-site": site.name, "data-reachability": reachability(site) },
      el("td", {}, site.name),
      el("td", { title: site.unreachableReason }, state(reachability(site))),
      el("td", {}, site.popEndpoint, site.popType ? ` (${site.popType})` : ""),
      el("td", {}, site.agentEndpoint || el("span", { class: "muted" }, "none")),
      el("td", {}, site.tunnelMtu ?? ""),
    ),
  );
  $("sites").tBodies[0].replaceChildren(...rows);
}

const ALARM_FIELDS = [
  ["id", "Alarm"],
  ["managedObjectId", "NS"],
  ["perceivedSeverity", "Severity"],
  ["probableCause", "Cause"],
  ["faultDetails", "Details"],
  ["alarmRaisedTime", "Raised"],
  ["alarmClearedTime", "Cleared"],
  ["ackState", "Ack"],
];

export function renderAlarms(alarms) {
  const box = $("alarms");
  if (alarms === null) {
    box.replaceChildren(el("p", { class: "muted" }, "this NFVO reports no alarms"));
    return;
  }
  if (alarms.length === 0) {
    box.replaceChildren(el("p", { class: "muted", id: "no-alarms" }, "no alarms"));
    return;
  }
  const head = el("tr", {}, ALARM_FIELDS.map(([, title]) => el("th", {}, title)));
  const rows = alarms.map((alarm) =>
    el(
      "tr",
      { "data-alarm": alarm.id, "data-ns": alarm.managedObjectId },
      ALARM_FIELDS.map(([key]) => {
        const value = alarm[key];
        const text = Array.isArray(value) ? value.join("; ") : value;
        return el("td", {}, text ?? "");
      }),
    ),
  );
  box.replaceChildren(el("table", {}, el("thead", {}, head), el("tbody", {}, rows)));
}

function addresses(vnfc) {
  return Object.entries(vnfc.addresses || {}).map(([link, addr]) =>
    el("div", { "data-address": addr }, `${link} ${addr}`),
  );
}

function health(h) {
  if (!h) return el("span", { class: "muted" }, "not watched");
  const reason = h.reason ? ` ${h.reason}` : "";
  const since = h.since ? ` (since ${h.since})` : "";
  return el("span", {}, state(h.state), reason, since);
}

function renderNs(ns, onHeal) {
  const healthState = ns.health ? ns.health.state : undefined;
  const degraded = healthState === "DEGRADED";
  const box = el("div", {
    class: degraded ? "ns degraded" : "ns",
    "data-ns": ns.id,
    "data-status": ns.status,
    "data-health": healthState,
  });
  const title = el("h3", {}, `${ns.nsInstanceName} `, state(ns.status), " ", health(ns.health));
  box.append(title, el("div", { class: "muted" }, `${ns.id} from NSD ${ns.nsdName}`));
  if (ns.error) box.append(el("p", { class: "error" }, `${ns.error.step}: ${ns.error.reason}`));
  if (degraded) {
    const button = el("button", { type: "button", "data-heal": ns.id }, "Heal");
    const note = el("span", { class: "muted" });
    button.addEventListener("click", () => onHeal(ns.id, button, note));
    box.append(el("p", {}, button, " ", note));
  }
  const head = el(
    "tr",
    {},
    ["VNF", "Status", "VNFC", "Site", "Addresses", "Pop status", "Health"].map((t) => el("th", {}, t)),
  );
  const rows = [];
  for (const vnf of ns.vnfInstance || []) {
    const vnfcs = vnf.vnfcInstances || [];
    if (vnfcs.length === 0) {
      rows.push(el("tr", { "data-vnf": vnf.vnfdId }, el("td", {}, vnf.vnfdId), el("td", {}, state(vnf.status)),
        el("td", { colspan: 5, class: "muted" }, `no instance (placed on ${vnf.vimId})`)));
    }
    for (const vnfc of vnfcs) {
      rows.push(
        el(
          "tr",
          { "data-vnf": vnf.vnfdId, "data-vnfc": vnfc.name, "data-pop-status": vnfc.popStatus },
          el("td", {}, vnf.vnfdId),
          el("td", {}, state(vnf.status)),
          el("td", {}, vnfc.name),
          el("td", {}, vnfc.vimId),
          el("td", {}, addresses(vnfc)),
          el("td", {}, state(vnfc.popStatus)),
          el("td", {}, health(vnfc.health)),
        ),
      );
    }
  }
  box.append(el("table", {}, el("thead", {}, head), el("tbody", {}, rows)));
  const links = (ns.extensionInfo || []).map((e) =>
    el(
      "li",
      { "data-extension": e.globalId },
      `virtual link ${e.virtualLink}: network ${e.network} over ${(e.vimIds || []).join(", ")}, `,
      `mastered by ${e.masterVimId} (service ${e.globalId})`,
    ),
  );
  if (links.length > 0) box.append(el("ul", {}, links));
  return box;
}

export function renderServices(instances, onHeal) {
  const boxes = instances.map((ns) => renderNs(ns, onHeal));
  if (boxes.length === 0) boxes.push(el("p", { class: "muted" }, "no network service"));
  $("services").replaceChildren(...boxes);
}

// Sites on a circle, one line per pair of sites an extension joins (its master to each
// other member), labelled with the networks it carries.
export function renderMap(sites, instances) {
  const width = 640;
  const height = 320;
  const radius = Math.min(width, height) / 2 - 50;
  const names = sites.map((s) => s.name);
  const place = new Map();
  names.forEach((name, i) => {
    const angle = names.length === 1 ? 0 : Math.PI + (2 * Math.PI * i) / names.length;
    const r = names.length === 1 ? 0 : radius;
    place.set(name, { x: width / 2 + r * Math.cos(angle), y: height / 2 + r * Math.sin(angle) });
  });
  const links = new Map();
  const vnfcsAt = new Map();
  for (const ns of instances) {
    for (const e of ns.extensionInfo || []) {
      for (const other of (e.vimIds || []).filter((s) => s !== e.masterVimId)) {
        const key = [e.masterVimId, other].sort().join("\u0000");
        if (!links.has(key)) links.set(key, { a: e.masterVimId, b: other, nets: [] });
        links.get(key).nets.push(e.network);
      }
    }
    for (const vnf of ns.vnfInstance || []) {
      for (const vnfc of vnf.vnfcInstances || []) vnfcsAt.set(vnfc.vimId, (vnfcsAt.get(vnfc.vimId) || 0) + 1);
    }
  }
  const picture = svg("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img" });
  picture.append(svg("title", {}, "sites and the inter-site links between them"));
  for (const link of links.values()) {
    const a = place.get(link.a);
    const b = place.get(link.b);
    if (!a || !b) continue;
    picture.append(
      svg(
        "g",
        { class: "link", "data-link": `${link.a}-${link.b}` },
        svg("line", { x1: a.x, y1: a.y, x2: b.x, y2: b.y }),
        svg("text", { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 - 6 }, link.nets.join(", ")),
      ),
    );
  }
  for (const site of sites) {
    const p = place.get(site.name);
    const count = vnfcsAt.get(site.name) || 0;
    picture.append(
      svg(
        "g",
        { class: `site ${reachability(site)}`, "data-site": site.name },
        svg("circle", { cx: p.x, cy: p.y, r: 38 }),
        svg("text", { x: p.x, y: p.y - 2 }, site.name),
        svg("text", { x: p.x, y: p.y + 14 }, `${count} VNFC${count === 1 ? "" : "s"}`),
      ),
    );
  }
  $("map").replaceChildren(picture);
}

// One refresh at a time; a request for another while one runs makes one more after it.
