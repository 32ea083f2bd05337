/// The live view's web page, served at `/` by every broker's admin listener: one self-contained
/// HTML document (inline CSS and JavaScript, no framework, nothing fetched from elsewhere; even the
/// favicon is an empty data URL) that subscribes to `/events` with `EventSource` and redraws from
/// each `{"snapshot":…,"changes":[…]}` it receives. It never polls: the server pushes on change.
///
/// What it marks: every named change (`ClusterChange`) flashes the element it is about — the
/// controller and epoch, a broker's badge, a partition's leader or ISR cell — keeps the `changed`
/// class there, and goes to the top of the change log with the time it arrived. Each partition
/// row's leader and ISR cells carry ids (`leader-<topic>-<partition>`, `isr-<topic>-<partition>`)
/// and `data-updated-ms`, the page's clock when the cell last changed, for the browser test.
public enum LiveViewPage {
    public static let html = #"""
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Kafka cluster internals</title>
<link rel="icon" href="data:,">
<style>
body { font-family: system-ui, sans-serif; margin: 1.2em; color: #222; background: #fafafa; }
h1 { font-size: 1.3em; margin: 0 0 .4em; }
h2 { font-size: 1.05em; margin: 1.2em 0 .4em; }
#status { font-size: .85em; color: #666; }
#status.down { color: #b00; }
.summary span.value { font-weight: bold; padding: 0 .3em; }
.badge { display: inline-block; padding: .1em .5em; margin-right: .3em; border-radius: .8em; background: #dfe9f5; }
.badge.gone { background: #f4d4d4; text-decoration: line-through; }
.badge.unread { background: #eee; color: #888; }
table { border-collapse: collapse; background: #fff; }
th, td { border: 1px solid #ccc; padding: .2em .6em; text-align: left; font-variant-numeric: tabular-nums; }
th { background: #eef; }
td.replicas table td { border: none; padding: 0 .5em 0 0; font-size: .9em; }
.out { color: #a00; }
.changed { outline: 2px solid #e0a000; }
@keyframes flash { from { background: #ffd54a; } to { background: transparent; } }
.flash { animation: flash 3s ease-out; }
#changes li { font-size: .9em; margin: .15em 0; }
#changes li time, #statechange time { color: #777; margin-right: .5em; }
#statechange { font-family: ui-monospace, monospace; font-size: .8em; white-space: pre-wrap; background: #fff; border: 1px solid #ccc; padding: .4em; }
</style>
</head>
<body>
<h1>Kafka cluster internals <span id="status">connecting…</span></h1>
<div class="summary">Controller <span class="value" id="controller">?</span>
 Epoch <span class="value" id="epoch">?</span>
 Live brokers <span id="brokers"></span></div>
<h2>Changes</h2>
<ol id="changes" reversed></ol>
<h2>Partitions</h2>
<table id="partitions"><thead><tr><th>Partition</th><th>Leader</th><th>Leader epoch</th><th>ISR</th><th>Replicas</th>
<th>Per replica: HW / LEO / lag</th></tr></thead><tbody></tbody></table>
<h2>Purgatories (delayed / watched)</h2>
<table id="purgatories"><thead><tr><th>Broker</th><th>Purgatory</th><th>Delayed</th><th>Watched</th></tr></thead><tbody></tbody></table>
<h2>State-change log</h2>
<div id="statechange"></div>
<script>
(function () {
"use strict";
var gone = {};
function text(value) { return value === undefined || value === null ? "?" : String(value); }
function ids(list) { return list && list.length ? list.join(",") : "none"; }
function time(ms) { var d = new Date(ms); return d.toISOString().substring(11, 23); }
function el(tag, attrs, content) {
  var node = document.createElement(tag);
  for (var key in attrs) { node.setAttribute(key, attrs[key]); }
  if (content !== undefined) { node.textContent = content; }
  return node;
}
function setCell(node, value) {
  if (node.textContent !== value) {
    node.textContent = value;
    node.setAttribute("data-updated-ms", String(Date.now()));
  }
}
function mark(node) {
  if (!node) { return; }
  node.classList.add("changed");
  node.classList.remove("flash");
  void node.offsetWidth;
  node.classList.add("flash");
}
function partitionRow(p) {
  var key = p.topic + "-" + p.partition;
  var row = document.getElementById("row-" + key);
  if (!row) {
    row = el("tr", {id: "row-" + key});
    row.appendChild(el("td", {}, key));
    row.appendChild(el("td", {id: "leader-" + key}));
    row.appendChild(el("td", {id: "epoch-" + key}));
    row.appendChild(el("td", {id: "isr-" + key}));
    row.appendChild(el("td", {id: "replicas-" + key}));
    row.appendChild(el("td", {id: "progress-" + key, "class": "replicas"}));
  }
  return row;
}
function render(s) {
  setCell(document.getElementById("controller"), s.controllerId < 0 ? "none" : String(s.controllerId));
  setCell(document.getElementById("epoch"), String(s.controllerEpoch));
  var live = {};
  s.brokers.forEach(function (b) { live[b.id] = b; delete gone[b.id]; });
  var brokers = document.getElementById("brokers");
  var known = Object.keys(live).concat(Object.keys(gone)).map(Number).sort(function (a, b) { return a - b; });
  var badges = known.map(function (id) {
    var b = live[id];
    var badge = el("span", {id: "broker-" + id, "class": "badge" + (b ? (b.internalsRead ? "" : " unread") : " gone"),
      title: b ? b.endpoints.join(" ") + (b.adminListener ? " admin " + b.adminListener : "") : "gone"}, String(id));
    var old = document.getElementById("broker-" + id);
    if (old && old.classList.contains("changed")) { badge.classList.add("changed"); }
    return badge;
  });
  brokers.replaceChildren.apply(brokers, badges);
  var body = document.querySelector("#partitions tbody");
  var rows = s.partitions.map(function (p) {
    var key = p.topic + "-" + p.partition;
    var row = partitionRow(p);
    setCell(row.children[1], p.leader < 0 ? "none" : String(p.leader));
    setCell(row.children[2], String(p.leaderEpoch));
    setCell(row.children[3], ids(p.isr));
    setCell(row.children[4], ids(p.replicas));
    var inner = el("table");
    p.replicaStates.forEach(function (r) {
      var tr = el("tr", {"class": p.isr.indexOf(r.broker) < 0 ? "out" : ""});
      tr.appendChild(el("td", {}, "replica " + r.broker + (r.broker === p.leader ? " (leader)" : "")));
      tr.appendChild(el("td", {}, "HW " + text(r.highWatermark)));
      tr.appendChild(el("td", {}, "LEO " + text(r.logEndOffset)));
      tr.appendChild(el("td", {}, "lag " + text(r.lag)));
      inner.appendChild(tr);
    });
    row.children[5].replaceChildren(inner);
    return row;
  });
  body.replaceChildren.apply(body, rows);
  var purgatories = document.querySelector("#purgatories tbody");
  purgatories.replaceChildren.apply(purgatories, s.purgatories.map(function (g) {
    var tr = el("tr");
    [g.broker, g.name, g.delayed, g.watched].forEach(function (v) { tr.appendChild(el("td", {}, String(v))); });
    return tr;
  }));
  var log = document.getElementById("statechange");
  log.replaceChildren.apply(log, s.stateChangeLog.map(function (line) {
    var div = el("div");
    div.appendChild(el("time", {}, time(line.timeMs)));
    div.appendChild(document.createTextNode("broker " + line.broker + ": " + line.text));
    return div;
  }));
}
function note(changes) {
  var list = document.getElementById("changes");
  changes.forEach(function (c) {
    var key = c.topic !== undefined ? c.topic + "-" + c.partition : null;
    if (c.kind === "controllerMoved") { mark(document.getElementById("controller")); }
    if (c.kind === "controllerEpochChanged") { mark(document.getElementById("epoch")); }
    if (c.kind === "brokerGone") { gone[c.broker] = true; }
    if (c.kind === "leaderMoved") { mark(document.getElementById("leader-" + key)); mark(document.getElementById("epoch-" + key)); }
    if (c.kind === "isrShrank" || c.kind === "isrExpanded") { mark(document.getElementById("isr-" + key)); }
    if (c.kind === "partitionAdded") { mark(document.getElementById("row-" + key)); }
    var item = el("li", {"class": "change " + c.kind});
    item.appendChild(el("time", {}, time(Date.now())));
    item.appendChild(document.createTextNode(c.text));
    list.insertBefore(item, list.firstChild);
    while (list.children.length > 200) { list.removeChild(list.lastChild); }
  });
}
function apply(message) {
  message.changes.forEach(function (c) { if (c.kind === "brokerGone") { gone[c.broker] = true; } });
  render(message.snapshot);
  note(message.changes);
  message.changes.forEach(function (c) {
    if (c.kind === "brokerGone" || c.kind === "brokerBack") { mark(document.getElementById("broker-" + c.broker)); }
  });
  document.body.setAttribute("data-snapshot-ms", String(message.snapshot.takenAtMs));
}
// Not `status`: a global of that name is window.status, a string.
var statusLine = document.getElementById("status");
var source = new EventSource("events");
source.addEventListener("snapshot", function (event) {
  apply(JSON.parse(event.data));
  statusLine.textContent = "live";
  statusLine.className = "";
});
source.addEventListener("off", function () {
  statusLine.textContent = "this broker has no ZooKeeper connection to watch";
  source.close();
});
source.onerror = function () {
  statusLine.textContent = "reconnecting…";
  statusLine.className = "down";
};
})();
</script>
</body>
</html>
"""#
}
