// The CS workspace's one script, embedded in the binary: progressive enhancement only (every
// form works without it). Buttons with data-confirm ask before a destructive action.
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
  }
});

// The campaign editor: check the source as it is typed (debounced, the same diagnostics the
// Check button renders), list every problem beside it, and select a problem's line in the
// source when its position is pressed.
const sourceForm = document.getElementById("source-form");
if (sourceForm) {
  const source = sourceForm.querySelector("#source");
  const panel = document.getElementById("diagnostics");
  const csrf = sourceForm.querySelector('input[name="csrf"]').value;
  let timer = 0;
  let asked = 0;

  const selectLine = (line) => {
    const lines = source.value.split("\n");
    if (line < 1 || line > lines.length) return;
    let start = 0;
    for (let i = 0; i < line - 1; i += 1) start += lines[i].length + 1;
    source.focus();
    source.setSelectionRange(start, start + lines[line - 1].length);
    // Bring the line into view: rows are one line-height apart.
    const height = source.scrollHeight / Math.max(lines.length, 1);
    source.scrollTop = Math.max(0, (line - 3) * height);
  };

  const el = (tag, text, cls) => {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  };

  const show = (diagnostics) => {
    panel.replaceChildren();
    source.setAttribute("aria-invalid", diagnostics.length ? "true" : "false");
    if (!diagnostics.length) {
      panel.append(el("p", "No problems found.", "ok"));
      return;
    }
    const n = diagnostics.length;
    panel.append(el("p", `${n} problem${n === 1 ? "" : "s"}.`, "error"));
    const list = el("ul", undefined, "problems");
    for (const d of diagnostics) {
      const item = el("li");
      item.dataset.line = d.line || 0;
      if (d.line) {
        const at = el("button", d.column ? `${d.line}:${d.column}` : `${d.line}`, "at jump");
        at.type = "button";
        at.setAttribute("aria-label", `Go to line ${d.line}`);
        at.addEventListener("click", () => selectLine(d.line));
        item.append(at, " ");
      }
      if (d.path) item.append(el("code", d.path), ": ");
      item.append(d.message);
      if (d.snippet) item.append(el("pre", d.snippet));
      list.append(item);
    }
    panel.append(list);
  };

  const check = async () => {
    asked += 1;
    const mine = asked;
    try {
      const res = await fetch("/workspace/api/check", {
        method: "POST",
        headers: { "content-type": "application/json", "x-csrf-token": csrf },
        body: JSON.stringify({ source: source.value, name: sourceForm.dataset.campaign }),
      });
      if (!res.ok || mine !== asked) return;
      const body = await res.json();
      if (mine === asked) show(body.diagnostics);
    } catch {
      // Offline or signed out: the Check button still works.
    }
  };

  source.addEventListener("input", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(check, 300);
  });
  for (const item of panel.querySelectorAll("li[data-line]")) {
    const line = Number(item.dataset.line);
    const at = item.querySelector(".at");
    if (line && at) {
      const button = el("button", at.textContent, "at jump");
      button.type = "button";
      button.setAttribute("aria-label", `Go to line ${line}`);
      button.addEventListener("click", () => selectLine(line));
      at.replaceWith(button);
    }
  }
}
