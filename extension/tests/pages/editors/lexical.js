// Lexical (Facebook's editor, from npm) inside open shadow roots, as a
// test tool: <fb-composer> is a post composer, <fb-comment> a comment box
// that sends on Enter (Shift+Enter makes a new line), as comments do on
// the platforms. Bundled by extension/tests/e2e/editors.mjs with esbuild.
import { createEditor, $getRoot, $createParagraphNode, COMMAND_PRIORITY_HIGH, KEY_ENTER_COMMAND } from 'lexical';
import { registerPlainText } from '@lexical/plain-text';

function mount(host, label) {
  // In an open shadow root unless the page asks for the light DOM.
  const root = host.hasAttribute('light') ? host : host.attachShadow({ mode: 'open' });
  root.innerHTML = `<style>div[contenteditable]{border:1px solid #ccc;border-radius:8px;min-height:60px;padding:10px;width:520px;white-space:pre-wrap}
    p{margin:0}</style><div contenteditable="true" role="textbox" aria-label="${label}" data-lexical-editor="true"></div>`;
  const editor = createEditor({ namespace: label, onError: (e) => { throw e; } });
  editor.setRootElement(root.querySelector('[contenteditable]'));
  registerPlainText(editor);
  // An empty editor holds one paragraph, as LexicalComposer's initial state does.
  const empty = () => editor.update(() => { const r = $getRoot(); r.clear(); r.append($createParagraphNode()); });
  empty();
  host.clear = empty;
  host.editor = editor;
  host.text = () => editor.getEditorState().read(() => $getRoot().getTextContent());
  return editor;
}

customElements.define('fb-composer', class extends HTMLElement {
  connectedCallback() {
    if (!this.editor) mount(this, 'Hva tenker du på?');
  }
});

customElements.define('fb-comment', class extends HTMLElement {
  connectedCallback() {
    if (this.editor) return;
    const editor = mount(this, 'Skriv en kommentar …');
    editor.registerCommand(KEY_ENTER_COMMAND, (event) => {
      if (!event || event.shiftKey) return false;
      event.preventDefault();
      window.published(this.text());
      this.clear();
      return true;
    }, COMMAND_PRIORITY_HIGH);
  }
});
