// Draft.js with React (X's editor, from npm) as a test tool: a post
// composer and a reply box that sends on Enter (handleReturn; Shift+Enter
// makes a new line). Bundled by extension/tests/e2e/editors.mjs with
// esbuild; the page is loaded in a same-origin iframe.
import React from 'react';
import { createRoot } from 'react-dom/client';
import { Editor, EditorState } from 'draft-js';

const h = React.createElement;

function Composer({ label, sendOnEnter, id }) {
  const [state, setState] = React.useState(() => EditorState.createEmpty());
  const text = () => state.getCurrentContent().getPlainText('\n');
  React.useEffect(() => { window[`${id}Text`] = text; });
  const send = () => {
    window.published(text());
    setState(EditorState.createEmpty());
  };
  return h('div', { className: 'box', id },
    h(Editor, {
      editorState: state, onChange: setState, ariaLabel: label, placeholder: label,
      handleReturn: (e) => {
        if (!sendOnEnter || e.shiftKey) return 'not-handled';
        send();
        return 'handled';
      },
    }),
    sendOnEnter ? null : h('button', { type: 'button', 'data-testid': 'tweetButtonInline', onClick: send }, h('span', null, 'Post')));
}

createRoot(document.getElementById('app')).render(h(React.Fragment, null,
  h(Composer, { label: 'Hva skjer?', id: 'post' }),
  h(Composer, { label: 'Skriv et svar', id: 'reply', sendOnEnter: true })));
