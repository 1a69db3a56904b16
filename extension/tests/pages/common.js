// The test pages' own "publish" handlers: they record what was published,
// so a test can tell whether the page's handler ran.
window.__published = [];
function published(text) {
  window.__published.push(text);
  const out = document.getElementById('out');
  if (out) out.textContent = `Publisert: ${text}`;
}
