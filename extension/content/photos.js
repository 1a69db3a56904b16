// Postvakt content scripts: photos attached to a post (file input, drop,
// paste). Each is looked at for faces (in the service worker) and declared
// by the writer: who it shows and whether there is consent.
(() => {
  'use strict';
  const pv = (globalThis.__postvakt = globalThis.__postvakt || {});
  if (pv.photos) return;
  const { MSG } = globalThis.__postvaktMessages;
  const T = (...a) => pv.T(...a);
  const { composerFor, targetOf } = pv.composers;
  const { modal, el } = pv.layer;
  const state = (comp) => pv.core.state(comp);

  async function facesIn(file) {
    try {
      const bmp = await createImageBitmap(file);
      const scale = Math.min(1, 480 / Math.max(bmp.width, bmp.height));
      const w = Math.max(1, Math.round(bmp.width * scale));
      const h = Math.max(1, Math.round(bmp.height * scale));
      const canvas = new OffscreenCanvas(w, h);
      const ctx = canvas.getContext('2d');
      ctx.drawImage(bmp, 0, 0, w, h);
      const data = ctx.getImageData(0, 0, w, h).data;
      let bin = '';
      for (let i = 0; i < data.length; i += 0x8000) bin += String.fromCharCode.apply(null, data.subarray(i, i + 0x8000));
      const r = await pv.core.send({ type: MSG.FACES, rgba: btoa(bin), width: w, height: h });
      return r && Array.isArray(r.faces) ? r.faces.length : -1;
    } catch {
      return -1;
    }
  }

  function consentDialog(file, index, total, faces) {
    // The thumbnail's object URL lives as long as the dialog.
    const url = URL.createObjectURL(file);
    return modal((dlg, done) => {
      dlg.classList.add('consent');
      const img = el('img', 'thumb');
      img.src = url;
      img.alt = '';
      dlg.append(img, el('h2', '', `${T('imageTitle', index, total)}: ${file.name || ''}`));
      if (faces >= 0) dlg.append(el('p', 'note faces', faces > 0 ? T('facesFound', faces) : T('noFaces')));
      const radios = (name, legend, opts, value) => {
        const fs = el('fieldset');
        fs.append(el('legend', '', legend));
        for (const [v, label] of opts) {
          const l = el('label');
          const r = el('input');
          r.type = 'radio';
          r.name = name;
          r.value = v;
          r.checked = v === value;
          l.append(r, document.createTextNode(` ${label}`));
          fs.append(l);
        }
        return fs;
      };
      const persons0 = faces > 0 ? 'adults' : faces === 0 ? 'none' : 'unknown';
      const pf = radios('persons', T('qPersons'), [['none', T('pNone')], ['adults', T('pAdults')], ['minors', T('pMinors')], ['unknown', T('pUnknown')]], persons0);
      const cf = radios('consent', T('qConsent'), [['none', T('cNone')], ['given', T('cGiven')], ['guardian_written', T('cGuardian')]], 'none');
      const warn = el('p', 'warnnote facewarn', T('facesWarn'));
      warn.hidden = true;
      const altLabel = el('label', '', T('alt'));
      const alt = el('input');
      alt.type = 'text';
      alt.name = 'alt';
      altLabel.append(alt);
      const val = (name) => (dlg.querySelector(`input[name="${name}"]:checked`) || {}).value;
      const update = () => {
        const p = val('persons');
        warn.hidden = !(p === 'none' && faces > 0);
        cf.hidden = p === 'none' || p === 'unknown';
      };
      pf.addEventListener('change', update);
      update();
      const row = el('div', 'row');
      const skip = el('button', '', T('skip'));
      skip.type = 'button';
      const save = el('button', 'primary', T('save'));
      save.type = 'button';
      skip.addEventListener('click', () => done({ alt: '', persons: 'unknown', consent: 'none' }));
      save.addEventListener('click', () => {
        const persons = val('persons') || 'unknown';
        done({ alt: alt.value.trim(), persons, consent: persons === 'none' ? 'none' : val('consent') || 'none' });
      });
      row.append(skip, save);
      dlg.append(pf, warn, cf, altLabel, row);
    }).finally(() => URL.revokeObjectURL(url));
  }

  async function onImages(files, origin) {
    const images = [...files].filter((f) => f && /^image\//.test(f.type));
    if (!images.length || !pv.enabled) return;
    const comp = (origin && composerFor(origin, pv.active)) || pv.active;
    if (!comp) return;
    const st = state(comp);
    for (let i = 0; i < images.length; i++) {
      const faces = await facesIn(images[i]);
      const decl = (await consentDialog(images[i], i + 1, images.length, faces)) || { alt: '', persons: 'unknown', consent: 'none' };
      st.images.push({ name: images[i].name, faces, decl });
    }
    pv.core.activate(comp);
    pv.core.checkNow(comp);
  }

  document.addEventListener('change', (e) => {
    const t = targetOf(e);
    if (t && t.tagName === 'INPUT' && t.type === 'file' && t.files) onImages(t.files, t);
  }, true);
  document.addEventListener('drop', (e) => {
    if (e.dataTransfer && e.dataTransfer.files.length) onImages(e.dataTransfer.files, targetOf(e));
  }, true);
  document.addEventListener('paste', (e) => {
    if (e.clipboardData && e.clipboardData.files.length) onImages(e.clipboardData.files, targetOf(e));
  }, true);

  pv.photos = { onImages };
})();
