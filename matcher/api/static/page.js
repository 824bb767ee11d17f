/* The analyst page: plain DOM code, no framework, no build step, no external asset.
 *
 * Every call goes to the public API (/v1/...). Text from lists, uploads and articles is only ever
 * inserted with textContent, never as HTML. With MATCHER_AUTH=keys the API key lives in
 * sessionStorage (this tab only) and is sent as "Authorization: Bearer <key>".
 */
"use strict";

(function () {
  const body = document.body;
  const config = {
    auth: body.dataset.auth,
    threshold: parseFloat(body.dataset.threshold) || 0.8,
    maxUploadMb: parseFloat(body.dataset.maxUploadMb) || 0,
    staleHours: parseFloat(body.dataset.staleHours) || 0,
  };
  const KEY = "matcher.apiKey";
  const $ = (id) => document.getElementById(id);

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "className") node.className = value;
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  /* ---- API calls ------------------------------------------------------------------------- */

  function authHeaders() {
    const key = sessionStorage.getItem(KEY);
    return key ? { Authorization: "Bearer " + key } : {};
  }

  class ApiProblem extends Error {
    constructor(status, detail) {
      super(detail);
      this.status = status;
    }
  }

  async function problemOf(response) {
    let detail = response.status + " " + response.statusText;
    try {
      const problem = await response.json();
      if (problem && problem.detail) detail = problem.detail;
    } catch (e) { /* not JSON */ }
    if (response.status === 401 || response.status === 403) askForKey(detail);
    return new ApiProblem(response.status, detail);
  }

  async function api(path, options) {
    const opts = options || {};
    const headers = Object.assign({ Accept: "application/json" }, authHeaders(), opts.headers || {});
    const response = await fetch(path, Object.assign({}, opts, { headers }));
    if (!response.ok) throw await problemOf(response);
    return response.json();
  }

  function say(id, text, isError) {
    const node = $(id);
    node.textContent = text;
    node.classList.toggle("error", Boolean(isError));
  }

  /* ---- API key ---------------------------------------------------------------------------- */

  function askForKey(reason) {
    if (config.auth !== "keys") return;
    $("key-panel").hidden = false;
    say("key-status", reason || "Enter an API key to continue.", true);
    $("api-key").focus();
  }

  function setupKey() {
    if (config.auth !== "keys") return;
    $("key-panel").hidden = false;
    if (sessionStorage.getItem(KEY)) say("key-status", "A key is set for this tab.");
    else say("key-status", "No key yet: enter one to search.");
    $("key-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const value = $("api-key").value.trim();
      if (!value) return;
      sessionStorage.setItem(KEY, value);
      $("api-key").value = "";
      say("key-status", "Key saved for this tab.");
      loadLists();
    });
    $("key-forget").addEventListener("click", () => {
      sessionStorage.removeItem(KEY);
      say("key-status", "Key forgotten.");
    });
  }

  /* ---- Tabs ------------------------------------------------------------------------------- */

  const tabs = Array.from(document.querySelectorAll('[role="tab"]'));

  function selectTab(tab, focus) {
    for (const other of tabs) {
      const selected = other === tab;
      other.setAttribute("aria-selected", String(selected));
      other.tabIndex = selected ? 0 : -1;
      $(other.getAttribute("aria-controls")).hidden = !selected;
    }
    if (focus) tab.focus();
    if (tab.id === "tab-lists") loadLists();
  }

  function setupTabs() {
    tabs.forEach((tab, i) => {
      tab.addEventListener("click", () => selectTab(tab, false));
      tab.addEventListener("keydown", (event) => {
        let next = null;
        if (event.key === "ArrowRight") next = tabs[(i + 1) % tabs.length];
        else if (event.key === "ArrowLeft") next = tabs[(i - 1 + tabs.length) % tabs.length];
        else if (event.key === "Home") next = tabs[0];
        else if (event.key === "End") next = tabs[tabs.length - 1];
        if (next) {
          event.preventDefault();
          selectTab(next, true);
        }
      });
    });
  }

  /* ---- Shared rendering: score bars, highlighted names, explanations ---------------------- */

  function pct(score) {
    return Math.round(score * 1000) / 10 + "%";
  }

  function scoreBar(score, isMatch) {
    const fill = el("span");
    fill.style.width = Math.max(0, Math.min(1, score)) * 100 + "%"; // CSSOM: allowed by the CSP
    return el(
      "div",
      { className: "scoreline" },
      el("div", { className: "bar" + (isMatch ? " alert" : ""), "aria-hidden": "true" }, fill),
      el("span", {}, "score " + score.toFixed(3) + " (" + pct(score) + ")"),
      el("span", { className: "decision " + (isMatch ? "alert" : "clear") }, isMatch ? "ALERT" : "below threshold"),
    );
  }

  function fold(text) {
    return text.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
  }

  const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu;

  /* The matched name with each word that pairs with a query token highlighted. */
  function highlightName(name, tokens, side) {
    const wanted = new Map();
    for (const t of tokens || []) {
      const value = t[side];
      const other = t[side === "listed" ? "query" : "listed"];
      if (value && other) for (const part of fold(value).split(/\s+/)) wanted.set(part, t);
    }
    const out = el("span", { className: "names" });
    let last = 0;
    for (const m of name.matchAll(WORD)) {
      const token = wanted.get(fold(m[0]));
      if (!token) continue;
      out.append(name.slice(last, m.index));
      const exact = token.kind === "exact";
      out.append(
        el(
          "mark",
          { className: "tok " + (exact ? "exact" : "weak"), title: token.kind + ", similarity " + token.similarity },
          m[0],
        ),
      );
      last = m.index + m[0].length;
    }
    out.append(name.slice(last));
    return out;
  }

  function explanationList(ex) {
    const items = [];
    items.push(
      el("li", {}, "Matched the " + (ex.matched_name_kind || "name") + " “" + ex.matched_name + "” with name score " +
        ex.name_score.toFixed(3) + "."),
    );
    for (const t of ex.tokens || []) {
      let text;
      if (t.query && t.listed) text = "“" + t.query + "” ~ “" + t.listed + "”: " + t.kind + " (" + t.similarity.toFixed(2) + ")";
      else if (t.listed) text = "listed word “" + t.listed + "” has no counterpart in the query (" + t.kind + ")";
      else text = "query word “" + t.query + "” has no counterpart in the listed name (" + t.kind + ")";
      items.push(el("li", {}, text));
    }
    for (const q of ex.qualifiers || []) {
      items.push(el("li", {}, q.field.replace(/_/g, " ") + ": " + q.outcome + ", " + q.detail + " (×" + q.factor + ")"));
    }
    return el("ul", { className: "explain" }, items);
  }

  /* ---- Entity detail with provenance ------------------------------------------------------ */

  function dl(pairs) {
    const list = el("dl");
    for (const [term, value] of pairs) {
      if (value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length)) continue;
      list.append(el("dt", {}, term), el("dd", {}, Array.isArray(value) ? value.join("; ") : String(value)));
    }
    return list;
  }

  async function toggleDetail(button, entityId, box) {
    const open = button.getAttribute("aria-expanded") === "true";
    if (open) {
      button.setAttribute("aria-expanded", "false");
      box.hidden = true;
      return;
    }
    button.setAttribute("aria-expanded", "true");
    box.hidden = false;
    if (box.dataset.loaded) return;
    box.textContent = "Loading…";
    try {
      const data = await api("/v1/entities/" + encodeURIComponent(entityId));
      const e = data.entity;
      const p = data.provenance;
      box.textContent = "";
      box.dataset.loaded = "1";
      box.append(
        el("h4", {}, "Entity " + e.id),
        dl([
          ["Type", e.type],
          ["Names", e.names.map((n) => n.value + " (" + n.kind + (n.script ? ", " + n.script : "") + ")")],
          ["Birth dates", e.birth_dates],
          ["Birth places", e.birth_places],
          ["Nationalities", e.nationalities],
          ["Countries", e.countries],
          ["Addresses", (e.addresses || []).map((a) => a.full)],
          ["Identifiers", (e.identifiers || []).map((i) => i.kind + " " + i.value + (i.country ? " (" + i.country + ")" : ""))],
          ["Programs", e.programs],
          ["Listed on", e.listed_on],
          ["Remarks", e.remarks],
        ]),
        el("h4", {}, "Provenance"),
        dl([
          ["List", p.list],
          ["Version", p.version],
          ["Published", p.published],
          ["Fetched", p.fetched_at],
          ["Format", p.format],
          ["Source file", p.source_file],
          ["Content hash", p.content_hash],
          ["Origin", p.origin],
        ]),
      );
    } catch (err) {
      box.textContent = "Could not load the entity: " + err.message;
    }
  }

  /* ---- Search ------------------------------------------------------------------------------ */

  function matchItem(m, query) {
    const box = el("div", { className: "detail", hidden: true, id: "detail-" + m.entity_id.replace(/[^\w-]/g, "_") });
    const button = el("button", { type: "button", className: "link", "aria-expanded": "false", "aria-controls": box.id },
      "Details and provenance");
    button.addEventListener("click", () => toggleDetail(button, m.entity_id, box));
    const ex = m.explanation;
    return el(
      "li",
      { className: "result" + (m.match ? " alert" : "") },
      el("h3", {}, m.name),
      el("p", { className: "meta" }, m.type + " · list " + m.list + " · " + m.entity_id +
        (m.programs && m.programs.length ? " · programs: " + m.programs.join(", ") : "")),
      scoreBar(m.score, m.match),
      el("p", {}, "Matched name: ", highlightName(m.matched_name, ex.tokens, "listed"),
        query ? el("span", { className: "muted" }, "  (query: ", highlightName(query, ex.tokens, "query"), ")") : null),
      explanationList(ex),
      button,
      box,
    );
  }

  function setupSearch() {
    $("q-threshold").value = config.threshold;
    $("search-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const form = event.target;
      const query = { name: form.name.value.trim(), limit: 10 };
      if (form.type.value) query.type = form.type.value;
      if (form.country.value.trim()) query.country = form.country.value.trim();
      if (form.birth_date.value.trim()) query.birth_date = form.birth_date.value.trim();
      if (form.threshold.value !== "") query.threshold = parseFloat(form.threshold.value);
      const results = $("results");
      results.textContent = "";
      say("search-status", "Searching…");
      try {
        const data = await api("/v1/match", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify(query),
        });
        const result = data.results[0];
        const alerts = result.alerts;
        say("search-status", result.matches.length
          ? result.matches.length + (result.matches.length === 1 ? " candidate, " : " candidates, ") + alerts + (alerts === 1 ? " alert" : " alerts") +
            " at threshold " + data.threshold + " (lists: " + Object.entries(data.list_versions).map(([k, v]) => k + " " + v).join(", ") + ")"
          : "No candidates on the lists.");
        for (const m of result.matches) results.append(matchItem(m, query.name));
      } catch (err) {
        say("search-status", err.message, true);
      }
    });
  }

  /* ---- Text screening ---------------------------------------------------------------------- */

  function renderText(data) {
    const view = $("text-view");
    view.textContent = "";
    // Offsets are in Unicode code points (Python); JavaScript strings index UTF-16 units.
    const chars = Array.from(data.text);
    let pos = 0;
    for (const m of data.mentions) {
      if (m.start < pos) continue;
      view.append(chars.slice(pos, m.start).join(""));
      const party = data.parties[m.party];
      const top = party.matches[0];
      const label = m.flagged && top
        ? m.text + ": flagged, matches " + top.name + " (" + top.list + ", score " + top.score.toFixed(3) + ")"
        : m.text + ": " + (m.type || "party") + ", no alert";
      view.append(el("a", { href: "#party-" + m.party, className: "mention" + (m.flagged ? " flagged" : ""),
        title: label, "aria-label": label }, el("mark", { className: "mention" + (m.flagged ? " flagged" : "") },
        chars.slice(m.start, m.end).join(""))));
      pos = m.end;
    }
    view.append(chars.slice(pos).join(""));

    const parties = $("parties");
    parties.textContent = "";
    const order = data.parties.slice().sort((a, b) => Number(b.flagged) - Number(a.flagged));
    for (const party of order) {
      const mentions = party.mentions.map((i) => data.mentions[i].text);
      const item = el(
        "li",
        { className: "result" + (party.flagged ? " alert" : ""), id: "party-" + party.id, tabindex: "-1" },
        el("h4", {}, party.name + (party.flagged ? " (flagged)" : "")),
        el("p", { className: "meta" }, (party.type || "type unknown") + " · mentioned as " +
          Array.from(new Set(mentions)).map((t) => "“" + t + "”").join(", ") + " · threshold " + party.threshold),
      );
      const shown = party.matches.filter((m) => m.match).concat(party.matches.filter((m) => !m.match)).slice(0, 3);
      if (!shown.length) item.append(el("p", { className: "muted" }, "No candidate on the lists."));
      const list = el("ol", { className: "results" });
      for (const m of shown) list.append(matchItem(m, party.name));
      item.append(list);
      parties.append(item);
    }
  }

  function setupText() {
    $("t-threshold").value = config.threshold;
    $("text-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const form = event.target;
      const payload = { text: form.text.value, html: form.html.checked };
      if (form.threshold.value !== "") payload.threshold = parseFloat(form.threshold.value);
      say("text-status", "Screening…");
      $("text-result").hidden = true;
      try {
        const data = await api("/v1/screen/text", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify(payload),
        });
        renderText(data);
        $("text-result").hidden = false;
        const flagged = data.flagged.length;
        say("text-status", data.mentions.length + " mentions of " + data.parties.length + " parties; " +
          flagged + (flagged === 1 ? " party flagged" : " parties flagged") + ".");
      } catch (err) {
        say("text-status", err.message, true);
      }
    });
  }

  /* ---- Bulk upload ------------------------------------------------------------------------- */

  /* Rows of a CSV text (RFC 4180 quoting), for the summary after the download completes. */
  function parseCsv(text, delimiter) {
    const rows = [];
    let row = [];
    let cell = "";
    let quoted = false;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (quoted) {
        if (c === '"') {
          if (text[i + 1] === '"') { cell += '"'; i++; } else quoted = false;
        } else cell += c;
      } else if (c === '"') quoted = true;
      else if (c === delimiter) { row.push(cell); cell = ""; }
      else if (c === "\n" || c === "\r") {
        if (c === "\r" && text[i + 1] === "\n") i++;
        row.push(cell); rows.push(row); row = []; cell = "";
      } else cell += c;
    }
    if (cell || row.length) { row.push(cell); rows.push(row); }
    return rows;
  }

  function countLines(text) {
    let n = 0;
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
    return n;
  }

  let downloadUrl = null;

  function setupBulk() {
    $("upload-limit").textContent = String(config.maxUploadMb);
    $("b-threshold").value = config.threshold;
    $("bulk-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const form = event.target;
      const file = form.file.files[0];
      if (!file) return;
      if (config.maxUploadMb && file.size > config.maxUploadMb * 1024 * 1024) {
        say("bulk-status", "The file is larger than the limit of " + config.maxUploadMb + " MB.", true);
        return;
      }
      // Expected rows, for the progress bar: the lines of the file minus its header.
      const expected = file.size < 64 * 1024 * 1024 ? Math.max(1, countLines(await file.text()) - 1) : 0;
      const params = new URLSearchParams();
      if (form.name_column.value.trim()) params.append("name_column", form.name_column.value.trim());
      if (form.threshold.value !== "") params.append("threshold", form.threshold.value);
      const data = new FormData();
      data.append("file", file, file.name);
      if (downloadUrl) URL.revokeObjectURL(downloadUrl);
      $("bulk-download-box").hidden = true;
      $("b-submit").disabled = true;
      const progress = $("bulk-progress");
      $("bulk-progress-box").hidden = false;
      $("bulk-phase").textContent = "Uploading";
      progress.value = 0;
      say("bulk-status", "Uploading " + file.name + "…");

      const xhr = new XMLHttpRequest();
      xhr.open("POST", "/v1/screen/csv" + (params.toString() ? "?" + params : ""));
      for (const [k, v] of Object.entries(authHeaders())) xhr.setRequestHeader(k, v);
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable) progress.value = (e.loaded / e.total) * 100;
      };
      xhr.onprogress = () => {
        if (xhr.status !== 200) return;
        const done = Math.max(0, countLines(xhr.responseText) - 1);
        $("bulk-phase").textContent = "Screening";
        progress.value = expected ? Math.min(100, (done / expected) * 100) : 50;
        say("bulk-status", "Screened " + done.toLocaleString() + (expected ? " of about " + expected.toLocaleString() : "") + " rows…");
      };
      xhr.onerror = () => {
        $("b-submit").disabled = false;
        say("bulk-status", "The upload failed (connection closed: the file may exceed the size limit).", true);
      };
      xhr.onload = () => {
        $("b-submit").disabled = false;
        if (xhr.status !== 200) {
          let detail = xhr.status + " " + xhr.statusText;
          try { detail = JSON.parse(xhr.responseText).detail || detail; } catch (e) { /* not JSON */ }
          if (xhr.status === 401 || xhr.status === 403) askForKey(detail);
          $("bulk-progress-box").hidden = true;
          say("bulk-status", detail, true);
          return;
        }
        const text = xhr.responseText;
        const firstLine = text.slice(0, text.indexOf("\n"));
        const delimiter = [",", ";", "\t", "|"].find((d) => firstLine.includes("decision") && firstLine.split(d).length > 1) || ",";
        const rows = parseCsv(text, delimiter);
        const header = rows.shift() || [];
        const col = header.lastIndexOf("decision");
        const alerts = rows.filter((r) => r[col] === "match").length;
        const errors = rows.filter((r) => r[col] === "error").length;
        progress.value = 100;
        $("bulk-phase").textContent = "Done";
        const name = (xhr.getResponseHeader("Content-Disposition") || "").match(/filename="([^"]+)"/);
        const link = $("bulk-download");
        downloadUrl = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
        link.href = downloadUrl;
        link.download = name ? name[1] : "screened.csv";
        link.textContent = "Download " + link.download + " (" + rows.length + " rows)";
        link.dataset.rows = String(rows.length);
        $("bulk-download-box").hidden = false;
        say("bulk-status", rows.length + " rows screened: " + alerts + (alerts === 1 ? " alert, " : " alerts, ") + errors +
          (errors === 1 ? " error." : " errors."));
      };
      xhr.send(data);
    });
  }

  /* ---- List status ------------------------------------------------------------------------- */

  function age(hours) {
    if (hours === null || hours === undefined) return "never";
    if (hours < 1) return Math.round(hours * 60) + " min";
    if (hours < 48) return Math.round(hours) + " h";
    return Math.round(hours / 24) + " days";
  }

  let listsLoading = false;

  async function loadLists() {
    if (listsLoading) return;
    listsLoading = true;
    say("lists-status", "Loading…");
    try {
      const data = await api("/v1/lists");
      $("stale-hours").textContent = String(data.stale_hours);
      const tbody = document.querySelector("#lists-table tbody");
      tbody.textContent = "";
      const stale = [];
      const rows = data.lists.slice().sort((a, b) => Number(b.loaded) - Number(a.loaded));
      for (const l of rows) {
        if (l.loaded && l.stale) stale.push(l.source);
        const status = !l.loaded ? "not loaded" : l.stale ? "STALE" : "up to date";
        tbody.append(el("tr", {},
          el("th", { scope: "row" }, l.source),
          el("td", { className: l.loaded && l.stale ? "stale" : l.loaded ? "fresh" : "muted" }, status),
          el("td", {}, l.version || "—"),
          el("td", {}, l.published || "—"),
          el("td", {}, l.checked_at ? l.checked_at.replace("T", " ") : "—"),
          el("td", {}, age(l.age_hours)),
          el("td", {}, l.counts ? l.counts.entities.toLocaleString() : "—"),
        ));
      }
      const loaded = data.lists.filter((l) => l.loaded).length;
      say("lists-status", loaded + " of " + data.lists.length + " lists loaded.");
      const warning = $("stale-warning");
      warning.hidden = !stale.length;
      $("stale-badge").hidden = !stale.length;
      warning.textContent = stale.length
        ? "Warning: " + stale.join(", ") + (stale.length === 1 ? " is" : " are") + " stale (not refreshed for more than " +
          data.stale_hours + " hours). Screening results may miss recent designations."
        : "";
    } catch (err) {
      say("lists-status", err.message, true);
    } finally {
      listsLoading = false;
    }
  }

  /* ---- Start ------------------------------------------------------------------------------- */

  $("stale-hours").textContent = String(config.staleHours);
  setupKey();
  setupTabs();
  setupSearch();
  setupText();
  setupBulk();
  $("lists-reload").addEventListener("click", loadLists);
  if (config.auth !== "keys" || sessionStorage.getItem(KEY)) loadLists();
  body.dataset.ready = "1";
})();
