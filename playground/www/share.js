// The share link: query, input and input kind in the URL fragment as base64url of UTF-8,
// `#q=...&i=...&k=lines|steps`. A fragment never reaches a server, so nothing leaves the browser.

export function encode(text) {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function decode(b64url) {
  const b64 = b64url.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

export function toFragment({ query, input, kind }) {
  return `#q=${encode(query)}&i=${encode(input)}&k=${kind}`;
}

/** The state in a fragment, or null when it holds none (or garbage). */
export function fromFragment(hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  if (!params.has('q')) return null;
  try {
    return {
      query: decode(params.get('q')),
      input: params.has('i') ? decode(params.get('i')) : '',
      kind: params.get('k') === 'steps' ? 'steps' : 'lines',
    };
  } catch {
    return null;
  }
}
