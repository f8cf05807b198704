// The CS workspace's one script, embedded in the binary: progressive enhancement only (every
// form works without it). Buttons with data-confirm ask before a destructive action.
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
  }
});
