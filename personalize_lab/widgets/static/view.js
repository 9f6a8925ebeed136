// The front end of ResultView: one widget model holds everything a request shows (table, figures, the
// boto3 call, the message), and every change redraws from that whole state. Nothing lives only in the
// browser, so a reloaded tab, a late-rendered Voila page or a dropped message shows the same request as
// the table: the state the kernel holds is the state drawn.
//
// The Plotly global is provided by the module prelude ResultView builds (plotly.js as shipped with the
// plotly package, evaluated once per page), so no request ever leaves the machine.

const Plotly = loadPlotly();

function h(tag, cls, text) {
  const el = document.createElement(tag);
  if (cls) el.className = cls;
  if (text !== undefined) el.textContent = text;
  return el;
}

async function copyText(text, button) {
  let done = false;
  try {
    await navigator.clipboard.writeText(text);
    done = true;
  } catch (_e) {
    // clipboard API needs a secure context and focus: fall back to a selected textarea
    const area = h("textarea");
    area.value = text;
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    try { done = document.execCommand("copy"); } catch (_e2) { done = false; }
    area.remove();
  }
  const label = button.dataset.label || button.textContent;
  button.dataset.label = label;
  button.textContent = done ? "Copied ✓" : "Copy failed: select the text";
  button.dataset.copied = done ? "1" : "0";
  setTimeout(() => { button.textContent = label; }, 1500);
}

function download(name, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h("a");
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function cellKey(td) {
  const raw = td.dataset.sort !== undefined ? td.dataset.sort : td.textContent.trim();
  const n = Number(raw);
  return raw !== "" && Number.isFinite(n) ? n : raw.toLowerCase();
}

// Sort the rows of `table` by column `index`; numbers as numbers, empty cells last either way.
function sortBy(table, index, descending) {
  const body = table.tBodies[0];
  const rows = [...body.rows];
  rows.sort((a, b) => {
    const x = cellKey(a.cells[index]);
    const y = cellKey(b.cells[index]);
    if (x === "" || y === "") return x === "" ? (y === "" ? 0 : 1) : -1;
    const order = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
    return descending ? -order : order;
  });
  body.append(...rows);
  table.querySelectorAll("th").forEach((th, i) => {
    th.dataset.sorted = i === index ? (descending ? "desc" : "asc") : "";
  });
}

function applySearch(table, query, count) {
  const q = query.trim().toLowerCase();
  let shown = 0;
  const rows = [...table.tBodies[0].rows];
  for (const row of rows) {
    const hit = !q || row.textContent.toLowerCase().includes(q);
    row.hidden = !hit;
    if (hit) shown += 1;
  }
  count.textContent = q ? `${shown} of ${rows.length} rows` : `${rows.length} rows`;
}

function render({ model, el }) {
  const root = h("div", "pl-view");
  const message = h("div", "pl-message");
  const tableSection = h("div", "pl-table-section");
  const toolbar = h("div", "pl-toolbar");
  const search = h("input", "pl-search");
  search.type = "search";
  search.placeholder = "Search the rows…";
  const count = h("span", "pl-count");
  const csvButton = h("button", "pl-button pl-export-csv", "Export CSV");
  const copyTable = h("button", "pl-button pl-copy-table", "Copy table");
  toolbar.append(search, count, csvButton, copyTable);
  const tableOut = h("div", "pl-table-out");
  tableSection.append(toolbar, tableOut);
  const plots = h("div", "pl-plots");
  const callSection = h("div", "pl-call");
  const callHead = h("div", "pl-call-head");
  const callTitle = h("span", "pl-call-title");
  const copyCall = h("button", "pl-button pl-copy-call", "Copy");
  callHead.append(callTitle, copyCall);
  const callText = h("pre", "pl-code");
  callSection.append(callHead, callText);
  root.append(message, tableSection, plots, callSection);
  el.appendChild(root);

  let sorted = null; // [column index, descending] the user chose; kept across updates
  let plotDivs = [];
  let drawing = Promise.resolve();
  let shownTable = null;

  search.addEventListener("input", () => {
    const table = tableOut.querySelector("table");
    if (table) applySearch(table, search.value, count);
  });
  csvButton.addEventListener("click", () =>
    download(model.get("csv_name") || "recommendations.csv", model.get("csv"), "text/csv"));
  copyTable.addEventListener("click", () => copyText(model.get("csv").replace(/,/g, "\t"), copyTable));
  copyCall.addEventListener("click", () => copyText(model.get("call"), copyCall));

  function wireTable() {
    const table = tableOut.querySelector("table");
    const hasRows = !!(table && table.tBodies.length);
    toolbar.hidden = !hasRows;
    if (!hasRows) return;
    table.querySelectorAll("th").forEach((th, i) => {
      th.classList.add("pl-sortable");
      th.title = "Sort by this column (click again to reverse)";
      th.addEventListener("click", () => {
        const descending = sorted && sorted[0] === i ? !sorted[1] : false;
        sorted = [i, descending];
        sortBy(table, i, descending);
      });
    });
    if (sorted && sorted[0] < table.rows[0].cells.length) sortBy(table, sorted[0], sorted[1]);
    applySearch(table, search.value, count);
  }

  function drawPlots(answerSeq) {
    const figures = model.get("figures") || [];
    const classes = model.get("plot_classes") || [];
    while (plotDivs.length > figures.length) {
      const gone = plotDivs.pop();
      Plotly.purge(gone.firstChild);
      gone.remove();
    }
    while (plotDivs.length < figures.length) {
      const box = h("div", "pl-plot");
      box.appendChild(h("div"));
      plots.appendChild(box);
      plotDivs.push(box);
    }
    const jobs = figures.map((fig, i) => {
      plotDivs[i].className = "pl-plot " + (classes[i] || "");
      const layout = Object.assign({}, fig.layout, { meta: Object.assign({}, fig.layout.meta, { seq: answerSeq }) });
      return Plotly.react(plotDivs[i].firstChild, fig.data, layout, { displaylogo: false, responsive: false });
    });
    return Promise.all(jobs);
  }

  function update() {
    const seq = model.get("seq");
    const stale = model.get("stale");
    message.innerHTML = model.get("message");
    const tableHtml = model.get("table_html");
    if (shownTable !== tableHtml) {
      tableOut.innerHTML = tableHtml;
      shownTable = tableHtml;
      wireTable();
    }
    tableSection.hidden = !tableHtml;
    callTitle.textContent = model.get("call_title");
    callText.textContent = model.get("call");
    callSection.hidden = !model.get("call");
    for (const part of [tableSection, plots, callSection]) part.classList.toggle("pl-stale", stale);
    root.dataset.seq = String(seq);
    root.dataset.answerSeq = String(model.get("answer_seq"));
    const answerSeq = model.get("answer_seq");
    // draws queue up in order; the root says which update is on screen once its plots are drawn
    drawing = drawing.then(() => drawPlots(answerSeq)).then(
      () => { if (model.get("seq") === seq) root.dataset.drawnSeq = String(seq); },
      (e) => { console.error("personalize_lab: could not draw a figure", e); root.dataset.drawError = String(e); },
    );
  }

  // the first draw waits until the element is in the page: plotly measures text in the live DOM
  function start() {
    if (!el.isConnected) { requestAnimationFrame(start); return; }
    update();
  }
  model.on("change", update);
  start();
  return () => {
    model.off("change", update);
    for (const box of plotDivs) Plotly.purge(box.firstChild);
  };
}

export default { render };
