"""The report's inline style sheet and script (constants; no record text ever goes in here).

The page's Content-Security-Policy allows exactly these two blocks by their SHA-256 hashes,
so an injected `<script>`, event-handler attribute or `style` attribute would not run even
if escaping ever failed.
"""

from __future__ import annotations

import base64
import hashlib

__all__ = ["CSS", "JS", "csp"]

CSS = """
:root{--fg:#1f2328;--muted:#656d76;--line:#d8dee4;--bg:#f6f8fa;--card:#fff;
--fig:#cfe2ff;--fig-b:#3b82f6;--quo:#fff1c2;--quo-b:#d99a00;--ent:#cdeed6;--ent-b:#1f9d55;
--pro:#efe6ff;--pro-b:#8250df;--llm:#8250df;--rules:#0a7ea4;--both:#57606a;--act:#ffc2d9;--act-b:#cf2265}
*{box-sizing:border-box}
body{margin:0;padding:24px 32px 60px;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,
"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg)}
h1{font-size:22px;margin:0 0 14px}h2{font-size:17px;margin:26px 0 10px}
h3{font-size:14px;margin:0 0 8px;color:var(--muted);text-transform:uppercase;
letter-spacing:.04em}
a{color:#0550ae}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:14px 18px}
.stats{display:flex;flex-wrap:wrap;gap:10px;margin-bottom:12px}
.stat{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:6px 12px;
min-width:96px}
.stat b{display:block;font-size:20px}.stat span{color:var(--muted);font-size:12px}
.notes{margin:8px 0 0;padding-left:20px;color:#9a6700}
.legend{display:flex;flex-wrap:wrap;gap:8px 18px;align-items:center;margin:12px 0;
font-size:13px}
.legend .key{margin-right:5px}
.key{display:inline-block;width:14px;height:14px;border-radius:3px;vertical-align:-2px}
.key.k-f{background:var(--fig);border:1px solid var(--fig-b)}
.key.k-q{background:var(--quo);border:1px solid var(--quo-b)}
.key.k-e{background:var(--ent);border:1px solid var(--ent-b)}
.key.k-p{background:var(--pro);border:1px solid var(--pro-b)}
.review{background:#fff8c5;border:1px solid #d4a72c;border-radius:6px;padding:6px 12px}
.index td.rv{color:#9a6700;max-width:320px;overflow:hidden;text-overflow:ellipsis;
white-space:nowrap}
.index th{cursor:pointer}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;
color:#fff;background:#6e7781}
.st-ok{background:#1a7f37}.st-fallback{background:#bf8700}.st-error{background:#cf222e}
.src{display:inline-block;padding:0 6px;border-radius:4px;font-size:11px;font-weight:600;
color:#fff;background:#8c959f}
.src.src-llm{background:var(--llm)}.src.src-rules{background:var(--rules)}
.src.src-both{background:var(--both)}
table{border-collapse:collapse;width:100%;background:var(--card);font-size:13px}
table.items,table.dropped{font-size:12.5px}
table.items td:nth-child(2){min-width:8em}
th,td{border-bottom:1px solid var(--line);padding:4px 7px;text-align:left;vertical-align:top}
th{background:#eef1f4;font-weight:600;white-space:nowrap}
caption{text-align:left;font-weight:600;padding:12px 0 5px}
caption .key{margin-right:6px}
.small td,.small th{padding:3px 8px}
.grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(260px,1fr));gap:16px;
align-items:start}
.index a{text-decoration:none}.index a:hover{text-decoration:underline}
.index td.ttl{max-width:560px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.filter{margin:10px 0;display:flex;flex-wrap:wrap;gap:6px 16px;align-items:center}
.filter button{font:inherit;font-size:12px;padding:2px 10px;border:1px solid var(--line);
border-radius:6px;background:var(--card);cursor:pointer}
section.article{margin:10px 0;background:var(--card);border:1px solid var(--line);
border-radius:8px}
section.article>details>summary{cursor:pointer;padding:10px 14px;display:flex;gap:10px;
align-items:baseline;flex-wrap:wrap}
section.article>details[open]>summary{border-bottom:1px solid var(--line)}
.num{color:var(--muted);font-variant-numeric:tabular-nums;min-width:2em}
.ttl{font-weight:600;font-size:15px}.aid{color:var(--muted);font-size:12px}
.body{padding:12px 18px 18px}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:0 0 10px}
dl.meta dt{color:var(--muted)}dl.meta dd{margin:0;overflow-wrap:anywhere}
p.summary{font-size:15px;margin:10px 0}
ul.points{margin:6px 0 12px;padding-left:22px}
p.error{background:#ffebe9;border:1px solid #ff8182;border-radius:6px;padding:8px 12px}
p.warn{color:#9a6700;font-size:13px}p.none{color:var(--muted);margin:8px 0}
.cols{display:grid;grid-template-columns:minmax(0,1.7fr) minmax(0,1fr);gap:18px;
align-items:start}
.tables{overflow-x:auto}
.textcol{position:sticky;top:6px}
@media (max-width:1000px){.cols{grid-template-columns:1fr}}
table.items tr{border-left:4px solid #8c959f}
table.items tr.src-llm{border-left-color:var(--llm)}
table.items tr.src-rules{border-left-color:var(--rules)}
table.items tr.src-both{border-left-color:var(--both)}
table.items tbody tr[data-target]{cursor:pointer}
table.items tbody tr:hover{background:#f3f6fa}
tr.unlocated td{color:var(--muted)}
td.n{color:var(--muted);width:2em}
tr.active,tr.active:hover{background:var(--act)!important}
.dropped td:last-child{color:#9a6700}
.textcol h3{margin-top:10px}
.text{white-space:pre-wrap;overflow-wrap:anywhere;font:14.5px/1.65 Georgia,"Times New Roman",
serif;background:#fffdf8;border:1px solid var(--line);border-radius:6px;padding:12px 16px;
max-height:75vh;overflow:auto}
.notext{background:#fff8c5;border:1px solid #d4a72c;border-radius:6px;padding:4px 14px}
mark.hl{color:inherit;border-radius:2px;cursor:pointer;padding:0 1px}
mark.k-q{background:var(--quo);box-shadow:inset 0 -2px 0 var(--quo-b)}
mark.k-f{background:var(--fig);box-shadow:inset 0 -2px 0 var(--fig-b)}
mark.k-e{background:var(--ent);box-shadow:inset 0 -2px 0 var(--ent-b)}
mark.k-p{background:var(--pro);box-shadow:inset 0 -1px 0 var(--pro-b)}
mark.hl.active{background:var(--act);box-shadow:inset 0 -2px 0 var(--act-b);
outline:1px solid var(--act-b)}
"""

JS = """
(function () {
  "use strict";
  var ID = /^a[0-9]+-[fqepv][0-9]+$/;
  var current = null;
  function all(sel, root) { return (root || document).querySelectorAll(sel); }
  function activate(id) {
    if (!ID.test(id)) { return; }
    if (current) { all('[data-target="' + current + '"]').forEach(function (el) {
      el.classList.remove("active"); }); }
    current = id;
    all('[data-target="' + id + '"]').forEach(function (el) { el.classList.add("active"); });
  }
  function showInText(id) {
    var mark = document.getElementById(id);
    var box = mark && mark.closest(".text");
    if (!box) { return; }
    var top = mark.getBoundingClientRect().top - box.getBoundingClientRect().top;
    box.scrollTop += top - box.clientHeight / 3;
  }
  function openSection(id) {
    var el = document.getElementById(id);
    var details = el && (el.querySelector("details") || el.closest("details"));
    if (details) { details.open = true; }
  }
  document.addEventListener("mouseover", function (ev) {
    var row = ev.target.closest("tr[data-target]");
    if (row) { activate(row.dataset.target); showInText(row.dataset.target); }
  });
  document.addEventListener("click", function (ev) {
    var link = ev.target.closest('a[href^="#"]');
    if (link) { openSection(link.getAttribute("href").slice(1)); }
    var mark = ev.target.closest("mark[data-target]");
    if (mark) {
      activate(mark.dataset.target);
      var row = document.getElementById(mark.dataset.target + "-row");
      if (row) { row.scrollIntoView({block: "nearest", behavior: "smooth"}); }
      return;
    }
    var tr = ev.target.closest("tr[data-target]");
    if (tr) { activate(tr.dataset.target); showInText(tr.dataset.target); }
  });
  var bar = document.getElementById("filter");
  if (bar) {
    bar.hidden = false;
    bar.addEventListener("change", function () {
      var shown = {};
      all("input[data-status]", bar).forEach(function (box) {
        shown[box.dataset.status] = box.checked; });
      var only = bar.querySelector("input[data-review]");
      var review = only !== null && only.checked;
      all("[data-status]").forEach(function (el) {
        if (el.tagName !== "INPUT") {
          el.hidden = shown[el.dataset.status] === false ||
            (review && el.dataset.review === "0");
        }
      });
    });
    bar.addEventListener("click", function (ev) {
      var btn = ev.target.closest("button[data-open]");
      if (!btn) { return; }
      var open = btn.dataset.open === "1";
      all("section.article > details").forEach(function (d) { d.open = open; });
    });
  }
  var index = document.querySelector("table.index");
  if (index) {
    index.querySelector("thead").addEventListener("click", function (ev) {
      var th = ev.target.closest("th");
      if (!th) { return; }
      var col = Array.prototype.indexOf.call(th.parentNode.children, th);
      var body = index.querySelector("tbody");
      var down = th.dataset.sorted !== "up";
      th.dataset.sorted = down ? "up" : "down";
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[col].textContent, y = b.cells[col].textContent;
        var nx = parseFloat(x), ny = parseFloat(y);
        var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
        return down ? c : -c;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  }
  if (location.hash) { openSection(location.hash.slice(1)); }
})();
"""


def _sha256(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def csp() -> str:
    """The Content-Security-Policy: no network loads; only this CSS and JS may run."""
    return (f"default-src 'none'; style-src {_sha256(CSS)}; script-src {_sha256(JS)}; "
            "img-src data:; base-uri 'none'; form-action 'none'")
