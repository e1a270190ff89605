/**
 * The explorer's own browser code, served as files under /explorer/assets/ rather than inline
 * so that the Content-Security-Policy can forbid every inline script and style.
 *
 * It is plain ES2020 over the UMD globals `React`, `ReactDOM` and `GraphiQL` (graphiql 4), kept
 * here as text because the build only emits compiled TypeScript.
 */

/** What the headers editor starts with: the one header the gateway needs (SPEC.md §6, API explorer sessions). */
export const DEFAULT_HEADERS = '{\n  "Authorization": "Bearer <paste an API token>"\n}';

export const EXPLORER_SCRIPT = `'use strict';
(function () {
  var ENDPOINT = '/graphql';
  var DEFAULT_HEADERS = ${JSON.stringify(DEFAULT_HEADERS)};
  var h = React.createElement;

  function newFetcher() {
    return GraphiQL.createFetcher({ url: ENDPOINT });
  }

  function isJsonObject(text) {
    try {
      var value = JSON.parse(text);
      return value !== null && typeof value === 'object' && !Array.isArray(value);
    } catch (e) {
      return false;
    }
  }

  // The gateway answers introspection only for a caller with a token, so the schema (docs,
  // completion) can load only once one is pasted. GraphiQL introspects again when its fetcher
  // changes, with the headers then in the editor: hand it a new one whenever the headers settle
  // on a different valid JSON object.
  function Explorer() {
    var state = React.useState(newFetcher);
    var fetcher = state[0];
    var setFetcher = state[1];
    var timer = React.useRef(undefined);
    var lastHeaders = React.useRef(DEFAULT_HEADERS);
    function onEditHeaders(value) {
      clearTimeout(timer.current);
      timer.current = setTimeout(function () {
        if (value === lastHeaders.current || !isJsonObject(value)) return;
        lastHeaders.current = value;
        setFetcher(function () { return newFetcher(); });
      }, 500);
    }
    return h(GraphiQL, {
      fetcher: fetcher,
      defaultHeaders: DEFAULT_HEADERS,
      defaultEditorToolsVisibility: 'headers',
      // A token in localStorage outlives the tab and is readable by any script of this origin.
      shouldPersistHeaders: false,
      onEditHeaders: onEditHeaders,
    });
  }

  ReactDOM.createRoot(document.getElementById('explorer')).render(h(Explorer));
})();
`;

export const EXPLORER_STYLES = `html, body, #explorer { height: 100%; margin: 0; }
noscript { display: block; padding: 2rem; font-family: system-ui, sans-serif; }
`;
