// Live progress of exports being built: every element with data-export-status polls its
// status JSON until the export is done or failed, then shows the download (or the error).
// Without this script the status page refreshes itself and the packet page links to it.
import { el } from "./page.js";

const POLL_MS = 1500;

function render(box, data) {
  box.dataset.exportState = data.status;
  const status = box.querySelector('[data-export-field="status_label"]');
  if (status) status.textContent = data.status_label;
  const bar = box.querySelector('[data-export-field="progress"]');
  if (bar) {
    bar.value = data.progress;
    bar.textContent = `${data.progress}%`;
  }
  const message = box.querySelector('[data-export-field="message"]');
  if (message) message.textContent = data.message || "";
  if (data.status !== "done" && data.status !== "failed") return false;
  for (const old of box.querySelectorAll(".export__progress, .export__wait")) old.remove();
  if (data.status === "done") {
    const line = el("p", { class: "export__ready" });
    const link = el("a", { class: "button button--small", href: data.download_url, download: "" },
      `Download ${data.filename}`);
    line.append(link);
    box.append(line);
  } else {
    box.append(el("p", { class: "export__error", role: "alert" },
      data.error || "The export could not be built."));
  }
  return true;
}

async function poll(box) {
  const url = box.dataset.exportStatus;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    let data;
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok) return;
      data = await response.json();
    } catch {
      continue; // a dropped connection: try again at the next tick
    }
    if (render(box, data)) return;
  }
}

for (const box of document.querySelectorAll("[data-export-status]")) {
  const state = box.dataset.exportState;
  if (state === "pending" || state === "running") poll(box);
}
