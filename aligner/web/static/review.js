// Review page: edits through the JSON API, keyboard shortcuts, the selected bead.
"use strict";
(function () {
  const main = document.getElementById("alignment");
  if (!main) return;
  const run = main.dataset.run;
  const version = Number(main.dataset.version);
  const message = document.getElementById("message");
  // The server refuses an edit without this page's CSRF token (aligner/web/security.py).
  const csrfToken = document.querySelector('meta[name="aligner-csrf"]').content;
  const beads = Array.from(document.querySelectorAll("tr.bead"));
  let selected = null;

  function select(row, scroll) {
    if (!row) return;
    if (selected) selected.classList.remove("selected");
    selected = row;
    row.classList.add("selected");
    if (scroll) row.scrollIntoView({ block: "center" });
  }

  function show(text, isError) {
    message.textContent = text;
    message.className = isError ? "error" : "info";
  }

  async function send(fields) {
    show("Saving…", false);
    let response;
    try {
      response = await fetch(`/api/runs/${run}/edits`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Aligner-CSRF": csrfToken },
        body: JSON.stringify(Object.assign({ version: version }, fields)),
      });
    } catch (error) {
      show(`The server cannot be reached: ${error}`, true);
      return;
    }
    const data = await response.json().catch(() => ({ error: response.statusText }));
    if (!response.ok) {
      show(data.error || `Error ${response.status}`, true);
      if (response.status === 409) {
        const reload = document.createElement("a");
        reload.href = `/runs/${run}?at=${fields.position || 0}#bead-${fields.position || 0}`;
        reload.textContent = " Reload the alignment";
        reload.id = "reload";
        message.appendChild(reload);
      }
      return;
    }
    window.location.assign(`/runs/${run}?at=${data.start}&v=${data.version}#bead-${data.start}`);
  }

  function editFields(button, row) {
    const fields = { action: button.dataset.action, position: Number(row.dataset.position) };
    if (fields.action === "split") {
      const at = Number(button.dataset.at);
      const other = button.dataset.side === "src" ? "tgt" : "src";
      fields[`${button.dataset.side}_at`] = at;
      // The other side is cut after as many sentences, or keeps all of them when it has fewer.
      fields[`${other}_at`] = Math.min(at, Number(row.dataset[other]));
    } else if (fields.action === "move") {
      fields.side = button.dataset.side;
      fields.direction = button.dataset.direction;
    }
    return fields;
  }

  main.addEventListener("click", (event) => {
    const button = event.target.closest("button.tool");
    if (!button || button.disabled) return;
    const row = button.closest("tr.bead");
    select(row, false);
    send(editFields(button, row));
  });
  document.getElementById("undo").addEventListener("click", () => send({ action: "undo" }));
  beads.forEach((row) => row.addEventListener("mousedown", () => select(row, false)));

  function nextLow() {
    const start = selected ? beads.indexOf(selected) : -1;
    const found = beads.slice(start + 1).find((row) => row.classList.contains("low"));
    if (found) {
      select(found, true);
      history.replaceState(null, "", `#${found.id}`);
      return;
    }
    const last = beads.length ? beads[beads.length - 1].dataset.position : -1;
    window.location.assign(`/runs/${run}/next-low?after=${last}`);
  }

  const keys = {
    j: () => select(beads[beads.indexOf(selected) + 1], true),
    k: () => select(beads[beads.indexOf(selected) - 1], true),
    n: nextLow,
    u: () => send({ action: "undo" }),
    c: () => selected && send({ action: "confirm", position: Number(selected.dataset.position) }),
    m: () => selected && send({ action: "merge", position: Number(selected.dataset.position) }),
    x: () => selected && send({ action: "unlink", position: Number(selected.dataset.position) }),
  };
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.closest("input, textarea, select")) return;
    const action = keys[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  });

  const fromHash = window.location.hash && document.getElementById(window.location.hash.slice(1));
  select(fromHash && fromHash.classList.contains("bead") ? fromHash : beads[0], Boolean(fromHash));
})();
