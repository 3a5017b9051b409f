// Klaster query page: runs the query against this endpoint, shows a table with labels for IRIs.
"use strict";
(function () {
  const config = JSON.parse(document.getElementById("klaster-config").textContent);
  const form = document.getElementById("query-form");
  const editor = document.getElementById("query");
  const status = document.getElementById("status");
  const results = document.getElementById("results");
  const endpoint = form.getAttribute("action");

  function link(id, params) {
    document.getElementById(id).href = endpoint + "?" + new URLSearchParams(params).toString();
  }
  function updateLinks() {
    const q = editor.value;
    link("permalink", { query: q });
    link("download-csv", { query: q, format: "csv", download: "1" });
    link("download-json", { query: q, format: "json", download: "1" });
  }

  async function post(query, accept) {
    const response = await fetch(endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "Accept": accept },
      body: new URLSearchParams({ query: query }),
    });
    return response;
  }

  async function labels(iris) {
    if (!iris.length) return {};
    const values = iris.slice(0, 300).map((iri) => "<" + iri + ">").join(" ");
    const q = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n" +
      "SELECT ?s ?label WHERE { VALUES ?s { " + values + " } ?s rdfs:label ?label }";
    const response = await post(q, "application/sparql-results+json");
    if (!response.ok) return {};
    const data = await response.json();
    const found = {};
    const rank = (lang) => (lang === "id" ? 0 : lang === "en" ? 1 : 2);
    for (const row of data.results.bindings) {
      const iri = row.s.value, lang = row.label["xml:lang"] || "";
      if (!(iri in found) || rank(lang) < found[iri].rank) found[iri] = { text: row.label.value, rank: rank(lang) };
    }
    return found;
  }

  function href(iri) {
    return iri.startsWith(config.base) ? "/id/" + iri.slice(config.base.length) : iri;
  }

  function cell(term, names) {
    const td = document.createElement("td");
    if (!term) return td;
    if (term.type === "uri") {
      const a = document.createElement("a");
      a.href = href(term.value);
      a.textContent = names[term.value] ? names[term.value].text : term.value;
      td.appendChild(a);
      if (names[term.value]) {
        const small = document.createElement("span");
        small.className = "iri";
        small.textContent = term.value;
        td.appendChild(small);
      }
    } else {
      td.textContent = term.type === "bnode" ? "_:" + term.value : term.value;
      if (term["xml:lang"]) td.title = "@" + term["xml:lang"];
      else if (term.datatype) td.title = term.datatype;
    }
    return td;
  }

  async function run() {
    updateLinks();
    history.replaceState(null, "", endpoint + "?" + new URLSearchParams({ query: editor.value }));
    status.className = "";
    status.textContent = "running…";
    results.replaceChildren();
    const started = performance.now();
    let response;
    try {
      response = await post(editor.value, "application/sparql-results+json, text/turtle;q=0.9");
    } catch (err) {
      status.className = "error";
      status.textContent = "network error: " + err;
      return;
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    const type = response.headers.get("Content-Type") || "";
    if (!response.ok) {
      status.className = "error";
      const body = type.includes("json") ? await response.json() : { title: response.statusText, detail: await response.text() };
      status.textContent = (body.title || "error") + ": " + (body.detail || "");
      return;
    }
    if (!type.includes("json")) {
      const pre = document.createElement("pre");
      pre.textContent = await response.text();
      results.appendChild(pre);
      status.textContent = "graph result in " + seconds + " s";
      return;
    }
    const data = await response.json();
    if ("boolean" in data) {
      results.textContent = "ASK answer: " + data.boolean;
      status.textContent = "answered in " + seconds + " s";
      return;
    }
    const vars = data.head.vars, rows = data.results.bindings;
    const iris = new Set();
    for (const row of rows) for (const v of vars) if (row[v] && row[v].type === "uri") iris.add(row[v].value);
    const names = await labels(Array.from(iris));
    const table = document.createElement("table");
    const head = table.createTHead().insertRow();
    for (const v of vars) { const th = document.createElement("th"); th.textContent = v; head.appendChild(th); }
    const body = table.createTBody();
    for (const row of rows) { const tr = body.insertRow(); for (const v of vars) tr.appendChild(cell(row[v], names)); }
    results.appendChild(table);
    const cut = response.headers.get("X-Klaster-Truncated") === "true";
    status.textContent = rows.length + " rows in " + seconds + " s" + (cut ? " (truncated at the row limit)" : "");
  }

  form.addEventListener("submit", (event) => { event.preventDefault(); run(); });
  editor.addEventListener("input", updateLinks);
  document.getElementById("examples").addEventListener("change", (event) => {
    if (event.target.value !== "") { editor.value = config.examples[Number(event.target.value)]; updateLinks(); }
  });
  document.getElementById("prefixes").addEventListener("click", () => {
    if (!editor.value.startsWith(config.prologue)) editor.value = config.prologue + "\n" + editor.value;
    updateLinks();
  });
  updateLinks();
  if (config.run) run();
})();
