/**
 * The <style> GraphiQL's dialogs (settings, short keys) insert to lock page scrolling: Radix's
 * react-remove-scroll-bar with a scroll-bar gap of 0 px, which it always is on this page (no
 * body margin, nothing to scroll). Allowed by hash rather than with 'unsafe-inline'.
 */
const DIALOG_SCROLL_LOCK_STYLE = "'sha256-nzTgYzXYDNe6BAHiiI7NNlfK8n/auuOAhh2t92YvuXo='";

/**
 * The Content-Security-Policy of the explorer: exactly what GraphiQL 4 needs, measured in
 * Chromium (test/explorer/browser.test.ts opens a dialog and fails on any violation).
 *
 * - Scripts only from this origin: the page has no inline script and GraphiQL needs no eval
 *   and no workers.
 * - Styles from this origin plus the one hashed dialog style; CodeMirror and React set element
 *   styles through the CSSOM, which CSP does not govern, so no 'unsafe-inline'.
 * - GraphiQL's stylesheet embeds its fonts and a few images as data: URLs (so does the page's
 *   empty icon); nothing is loaded as an image or font from anywhere else.
 * - connect-src 'self': queries and introspection go to this gateway's /graphql only.
 */
export const EXPLORER_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  `style-src 'self' ${DIALOG_SCROLL_LOCK_STYLE}`,
  'img-src data:',
  'font-src data:',
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** Sent with the page and every asset. */
export const EXPLORER_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': EXPLORER_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** The page revalidates on every load (its ETag makes that a 304), so a new release shows at once. */
export const PAGE_CACHE_CONTROL = 'no-cache';

/** Asset URLs carry their content hash: a changed file gets a new URL, so the old one never goes stale. */
export const ASSET_CACHE_CONTROL = 'public, max-age=31536000, immutable';
