// api.js — talking to the dashboard server: the token from the page URL on
// every request, JSON fetches and posts, the live WebSocket, page links, and
// the message area where every request's error is shown.

const pageParams = new URLSearchParams(globalThis.location ? location.search : '');

/** The token the page was opened with (null when the server needs none). */
export const token = pageParams.get('token');

/** A page URL with `params` (the token kept). */
export function pageUrl(params = {}) {
  const url = new URL(location.pathname, location.href);
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null) url.searchParams.set(k, v);
  }
  if (token) url.searchParams.set('token', token);
  return url.pathname + url.search;
}

/** An API URL (relative to the page) with `query` and, when asked, the token in it. */
export function apiUrl(path, query = {}, withToken = false) {
  const url = new URL(path.replace(/^\//, ''), location.href);
  url.search = '';
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null) url.searchParams.set(k, v);
  }
  if (withToken && token) url.searchParams.set('token', token);
  return url;
}

/** An error from the server, with its HTTP status and the body's text. */
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** The server's answer, or an ApiError (shown unless `quiet`) for no answer or a failed one. */
async function send(method, path, { query, body, quiet } = {}) {
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const fail = (status, text) => {
    const error = new ApiError(status, `${method} ${path}: ${text}`);
    if (!quiet) showMessage(error.message);
    return error;
  };
  let response;
  try {
    response = await fetch(apiUrl(path, query), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw fail(0, `the server did not answer (${e.message})`);
  }
  if (!response.ok) {
    const text = await response.text();
    let reason = text || response.statusText;
    try {
      reason = JSON.parse(text).error || reason;
    } catch {
      // not JSON: the text is the reason
    }
    const error = fail(response.status, `${response.status} ${reason}`);
    error.reason = reason;
    throw error;
  }
  return { response, fail };
}

async function request(method, path, options = {}) {
  const { response, fail } = await send(method, path, options);
  const text = await response.text();
  try {
    if (text) return JSON.parse(text);
  } catch {
    // falls through
  }
  throw fail(response.status, 'the answer is not JSON');
}

/** GET a file's bytes as a Blob; errors as for getJSON. */
export async function getBlob(path, options = {}) {
  const { response } = await send('GET', path, options);
  return response.blob();
}

/** GET a JSON answer; errors are shown in the message area and thrown. */
export function getJSON(path, query, options = {}) {
  return request('GET', path, { ...options, query });
}

/** POST `body` as JSON; errors are shown unless `quiet`, and thrown. */
export function postJSON(path, body, options = {}) {
  return request('POST', path, { ...options, body });
}

/** The live WebSocket of run `id` (token in the query: a WebSocket has no headers). */
export function openLive(id) {
  const url = apiUrl(`api/runs/${encodeURIComponent(id)}/live`, {}, true);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return new WebSocket(url);
}

// ---- message area -------------------------------------------------------

const MAX_MESSAGES = 6;
const shown = new Map(); // text -> element, so a repeated error is one line

/** Shows `text` in the message area (kind "error" or "info") until dismissed. */
export function showMessage(text, kind = 'error') {
  const area = document.getElementById('messages');
  if (!area) return;
  const old = shown.get(text);
  if (old) {
    const n = Number(old.dataset.count || 1) + 1;
    old.dataset.count = n;
    old.querySelector('.count').textContent = ` (×${n})`;
    return;
  }
  const line = document.createElement('div');
  line.className = `message ${kind}`;
  const words = document.createElement('span');
  words.textContent = text;
  const count = document.createElement('span');
  count.className = 'count';
  const close = document.createElement('button');
  close.className = 'dismiss';
  close.textContent = '×';
  close.title = 'dismiss';
  close.onclick = () => {
    line.remove();
    shown.delete(text);
  };
  line.append(words, count, close);
  area.append(line);
  shown.set(text, line);
  while (area.children.length > MAX_MESSAGES) {
    const first = area.firstElementChild;
    shown.delete(first.firstChild.textContent);
    first.remove();
  }
}
