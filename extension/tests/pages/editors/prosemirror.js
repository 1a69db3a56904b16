// ProseMirror (from npm) as a test tool: a post composer with history
// (Ctrl+Z, Ctrl+Y) inside a form whose submit button has only an icon.
// Bundled by extension/tests/e2e/editors.mjs with esbuild; the page is
// loaded in a same-origin iframe.
import { EditorState, AllSelection } from 'prosemirror-state';
import { EditorView } from 'prosemirror-view';
import { schema } from 'prosemirror-schema-basic';
import { history, undo, redo, closeHistory } from 'prosemirror-history';
import { keymap } from 'prosemirror-keymap';
import { baseKeymap } from 'prosemirror-commands';

const view = new EditorView(document.getElementById('editor'), {
  state: EditorState.create({ schema, plugins: [history(), keymap({ 'Mod-z': undo, 'Mod-y': redo, 'Mod-Shift-z': redo }), keymap(baseKeymap)] }),
  attributes: { 'aria-label': 'Skriv et innlegg', role: 'textbox' },
});
// Selects the whole text, as Ctrl+A does (Playwright's Ctrl+A in an iframe
// reached the top document).
// It also ends the current undo step, so what follows is undone alone.
window.pmSelectAll = () => {
  view.focus();
  view.dispatch(closeHistory(view.state.tr.setSelection(new AllSelection(view.state.doc))));
};
// Undo and redo as the editor's own commands: the editor changes its text
// itself (Playwright's Control+Z did not reach the iframe's editor).
window.pmUndo = () => undo(view.state, view.dispatch);
window.pmRedo = () => redo(view.state, view.dispatch);
window.pmText = () => view.state.doc.textBetween(0, view.state.doc.content.size, '\n');
document.getElementById('form').addEventListener('submit', (e) => {
  e.preventDefault();
  window.published(window.pmText());
});
for (const b of document.querySelectorAll('.toolbar [data-publishes]')) {
  b.addEventListener('click', (e) => {
    e.preventDefault();
    window.published(window.pmText());
  });
}
