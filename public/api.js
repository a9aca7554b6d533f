// Same-origin JSON calls. Errors come back as data ({ok:false, error}) for the caller to show in place.

function csrfToken() {
  return document.querySelector('meta[name="csrf-token"]')?.getAttribute("content") ?? "";
}

function fallbackError(status) {
  if (status === 401) return "Your session has ended. Reload the page and sign in again.";
  if (status === 403) return "Not allowed: your account or this page's security token was refused. Reload the page.";
  if (status === 404) return "Not found: it may have been removed. Reload the page.";
  if (status >= 500) return `The Kiln server failed to answer (HTTP ${status}). See its log.`;
  return `Request refused (HTTP ${status}).`;
}

/** @returns {Promise<{ok: boolean, status: number, data: any, error?: string}>} */
export async function request(method, path, body) {
  const headers = { Accept: "application/json" };
  const init = { method, headers, credentials: "same-origin" };
  if (method !== "GET") {
    headers["X-CSRF-Token"] = csrfToken();
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body ?? {});
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch {
    return { ok: false, status: 0, data: null, error: "The Kiln server is not reachable. Check the connection and try again." };
  }
  let data = null;
  const text = await res.text().catch(() => "");
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (res.ok) return { ok: true, status: res.status, data };
  const error = data && typeof data.error === "string" && data.error ? data.error : fallbackError(res.status);
  return { ok: false, status: res.status, data, error };
}

export const get = (path) => request("GET", path);
export const post = (path, body) => request("POST", path, body);
export const del = (path) => request("DELETE", path);
