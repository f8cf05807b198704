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

  // The preview: the unsaved source goes to the server as a preview, and the frame loads
  // the real widget with it.
  const frame = document.getElementById("preview-frame");
  const persona = sourceForm.querySelector("#persona");
  const locale = sourceForm.querySelector("#preview-locale");
  const theme = sourceForm.querySelector("#preview-theme");
  const width = sourceForm.querySelector("#preview-width");
  let previewTimer = 0;
  let previewed = 0;
  const preview = async () => {
    if (!frame) return;
    previewed += 1;
    const mine = previewed;
    let who;
    try {
      who = JSON.parse(persona.value || "{}");
      persona.setAttribute("aria-invalid", "false");
    } catch {
      persona.setAttribute("aria-invalid", "true");
      return;
    }
    try {
      const res = await fetch(`/workspace/api/campaigns/${encodeURIComponent(sourceForm.dataset.campaign)}/preview`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-csrf-token": csrf },
        body: JSON.stringify({ source: source.value, persona: who }),
      });
      if (!res.ok) {
        persona.setAttribute("aria-invalid", "true");
        return;
      }
      const body = await res.json();
      if (mine !== previewed) return;
      const note = document.getElementById("preview-state");
      if (note) {
        note.textContent = body.ok ? "" : "The source has problems: the preview shows the last source without any.";
      }
      if (!body.ok) return;
      const url = new URL(body.url, location.href);
      url.searchParams.set("theme", theme.value);
      if (locale.value.trim()) url.searchParams.set("locale", locale.value.trim());
      frame.className = `preview-frame theme-${theme.value}`;
      frame.width = width.value;
      frame.src = url.pathname + url.search;
    } catch {
      // Offline or signed out: the Preview button still works.
    }
  };
  const soon = () => {
    window.clearTimeout(previewTimer);
    previewTimer = window.setTimeout(preview, 300);
  };
  for (const input of [persona, locale].filter(Boolean)) input.addEventListener("input", soon);
  for (const input of [theme, width].filter(Boolean)) input.addEventListener("change", preview);

  source.addEventListener("input", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(check, 300);
    soon();
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

// The campaign form: the targeting condition is checked as it is typed (debounced, the
// same caret message `touchpoint check` prints), and the traits and events it reads are
// listed under it. Without the script the form's Check button does the same.
const campaignForm = document.getElementById("campaign-form");
const conditionField = campaignForm && campaignForm.querySelector("textarea[data-condition]");
if (conditionField) {
  const csrf = campaignForm.querySelector('input[name="csrf"]').value;
  const report = document.getElementById(`${conditionField.id}-uses`);
  const errorId = `${conditionField.id}-error`;
  let timer = 0;
  let asked = 0;
  const node = (tag, text, cls) => {
    const n = document.createElement(tag);
    if (text !== undefined) n.textContent = text;
    if (cls) n.className = cls;
    return n;
  };
  const names = (label, list) => {
    const out = [node("span", `${label}:`), " "];
    if (!list.length) out.push("none");
    for (const name of list) out.push(node("code", name), " ");
    return out;
  };
  const describe = (invalid) => {
    const ids = (conditionField.getAttribute("aria-describedby") || "").split(" ").filter((i) => i && i !== errorId);
    if (invalid) ids.unshift(errorId);
    conditionField.setAttribute("aria-describedby", ids.join(" "));
    conditionField.setAttribute("aria-invalid", invalid ? "true" : "false");
  };
  const show = (body) => {
    let errors = document.getElementById(errorId);
    if (body.problems.length) {
      if (!errors) {
        errors = node("ul", undefined, "field-error");
        errors.id = errorId;
        conditionField.after(errors);
      }
      errors.replaceChildren(...body.problems.map((p) => node("li", p.message)));
    } else if (errors) {
      errors.remove();
    }
    describe(body.problems.length > 0);
    const uses = node("p", undefined, "uses");
    uses.append(...names("Traits", body.traits), " · ", ...names("Events", body.events));
    // A caret line wider than the field scrolls: keyboard users reach it with Tab.
    const carets = body.problems.map((p) => {
      const pre = node("pre", p.snippet, "caret");
      pre.tabIndex = 0;
      return pre;
    });
    report.replaceChildren(...carets, uses);
  };
  const check = async () => {
    asked += 1;
    const mine = asked;
    try {
      const res = await fetch("/workspace/api/condition", {
        method: "POST",
        headers: { "content-type": "application/json", "x-csrf-token": csrf },
        body: JSON.stringify({ condition: conditionField.value }),
      });
      if (!res.ok || mine !== asked) return;
      const body = await res.json();
      if (mine === asked) show(body);
    } catch {
      // Offline or signed out: the Check button still works.
    }
  };
  conditionField.addEventListener("input", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(check, 300);
  });
}

// The form's preview follows the unsaved form: 300 ms after an edit the form goes to the
// server as it would be posted, comes back as TOML made into a preview, and the frame loads
// it. A form that does not validate leaves the last good preview in the frame.
const formFrame = campaignForm && document.getElementById("preview-frame");
if (formFrame && !campaignForm.querySelector("fieldset[disabled]")) {
  const csrf = campaignForm.querySelector('input[name="csrf"]').value;
  const note = document.getElementById("preview-state");
  let timer = 0;
  let asked = 0;
  const refresh = async () => {
    asked += 1;
    const mine = asked;
    try {
      const res = await fetch(`/workspace/api/campaigns/${encodeURIComponent(campaignForm.dataset.campaign)}/form-preview`, {
        method: "POST",
        headers: { "x-csrf-token": csrf },
        body: new URLSearchParams(new FormData(campaignForm)),
      });
      if (!res.ok || mine !== asked) return;
      const body = await res.json();
      if (mine !== asked) return;
      const persona = campaignForm.querySelector("#persona");
      if (persona) persona.setAttribute("aria-invalid", body.persona ? "true" : "false");
      if (note) {
        note.textContent = body.ok
          ? ""
          : body.persona || "The form has problems: the preview shows the last form without any.";
      }
      if (!body.ok) return;
      const url = new URL(body.url, location.href);
      const theme = campaignForm.querySelector("#preview-theme");
      const locale = campaignForm.querySelector("#preview-locale");
      const width = campaignForm.querySelector("#preview-width");
      const scheme = theme ? theme.value : "light";
      url.searchParams.set("theme", scheme);
      if (locale && locale.value.trim()) url.searchParams.set("locale", locale.value.trim());
      formFrame.className = `preview-frame theme-${scheme}`;
      if (width) formFrame.width = width.value;
      formFrame.src = url.pathname + url.search;
    } catch {
      // Offline or signed out: the Check button still refreshes it.
    }
  };
  const soon = () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 300);
  };
  campaignForm.addEventListener("input", soon);
  campaignForm.addEventListener("change", soon);
}

// Adding or removing a row re-renders the form: the reader stays where they were (unless
// the page focused the row just added).
if (campaignForm) {
  const key = `touchpoint:form-scroll:${campaignForm.dataset.campaign}`;
  try {
    const saved = window.sessionStorage.getItem(key);
    window.sessionStorage.removeItem(key);
    if (saved !== null && !document.querySelector("[autofocus]")) window.scrollTo(0, Number(saved));
    campaignForm.addEventListener("submit", (event) => {
      if (event.submitter && event.submitter.name === "edit") {
        window.sessionStorage.setItem(key, String(window.scrollY));
      }
    });
  } catch {
    // Storage refused: the page opens at the top, as without the script.
  }
}
