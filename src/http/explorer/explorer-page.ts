/** URLs of the files the page loads, in load order. */
export interface ExplorerPageAssets {
  scripts: string[];
  styles: string[];
}

const escapeAttribute = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/**
 * The explorer's HTML: no inline script, style or style attribute, so the CSP can refuse them all.
 * The empty data: icon stops the browser asking the gateway for /favicon.ico.
 */
export function renderExplorerPage(assets: ExplorerPageAssets): string {
  const styles = assets.styles.map((href) => `    <link rel="stylesheet" href="${escapeAttribute(href)}">`);
  const scripts = assets.scripts.map((src) => `    <script src="${escapeAttribute(src)}"></script>`);
  return [
    '<!doctype html>',
    '<html lang="en">',
    '  <head>',
    '    <meta charset="utf-8">',
    '    <meta name="viewport" content="width=device-width, initial-scale=1">',
    '    <meta name="referrer" content="no-referrer">',
    '    <title>Gatehouse API explorer</title>',
    '    <link rel="icon" href="data:,">',
    ...styles,
    '  </head>',
    '  <body>',
    '    <noscript>The API explorer needs JavaScript. Without it, POST GraphQL requests to /graphql with an Authorization: Bearer header.</noscript>',
    '    <div id="explorer"></div>',
    ...scripts,
    '  </body>',
    '</html>',
    '',
  ].join('\n');
}
