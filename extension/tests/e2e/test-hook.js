// Test builds only (added by harness.mjs, never by make extension): tells
// the page when the extension has shown a check's findings, so tests and
// the benchmark can wait on it. The shipped content scripts dispatch
// nothing into the page.
(() => {
  'use strict';
  const pv = globalThis.__postvakt;
  if (!pv) return;
  pv.onChecked = (el, rep, draft) => {
    const findings = rep && Array.isArray(rep.findings) ? rep.findings : null;
    document.dispatchEvent(new CustomEvent('postvakt:checked', {
      detail: JSON.stringify({
        findings: findings ? findings.length : -1, verdict: (rep && rep.verdict) || '',
        rules: findings ? findings.map((f) => f.rule) : [], length: draft.text.length,
      }),
    }));
  };
})();
