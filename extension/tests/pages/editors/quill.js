// Quill (LinkedIn's editor, from npm) as a test tool. Bundled by
// extension/tests/e2e/editors.mjs with esbuild.
import Quill from 'quill';

const quill = new Quill('#editor', { placeholder: 'Hva vil du snakke om?' });
// Ends the current undo step, so what follows is undone alone.
window.quillCutoff = () => quill.history.cutoff();
window.quillUndo = () => quill.history.undo();
window.quillText = () => quill.getText().replace(/\n$/, '');
document.getElementById('post').addEventListener('click', () => window.published(window.quillText()));
