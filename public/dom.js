// Tiny DOM helpers for the dashboard modules (no framework, no build step).

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));

/** h("button", {class: "btn", "data-action": "scan", text: "Scan"}, child…) */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value == null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** Writes only when the text changed, so live updates do not disturb selection or screen readers. */
export function setText(el, text) {
  if (!el) return;
  const value = text == null ? "" : String(text);
  if (el.textContent !== value) el.textContent = value;
}

export function setAttr(el, name, value) {
  if (!el) return;
  if (value == null || value === false) {
    if (el.hasAttribute(name)) el.removeAttribute(name);
    return;
  }
  const v = value === true ? "" : String(value);
  if (el.getAttribute(name) !== v) el.setAttribute(name, v);
}

export function show(el, visible) {
  if (el) el.hidden = !visible;
}

/** Shows a readable message in place (never alert()); an empty message hides it. */
export function showMessage(el, text) {
  if (!el) return;
  setText(el, text ?? "");
  el.hidden = !text;
}

/** Sets a bar width from JS (CSP forbids inline style attributes, not CSSOM). */
export function setWidth(el, pct) {
  if (!el) return;
  const w = `${Math.max(0, Math.min(100, Number(pct) || 0))}%`;
  if (el.style.width !== w) el.style.width = w;
}

/** Copies text to the clipboard; falls back to selecting it for Ctrl+C. */
export async function copyText(text, fallbackEl) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    if (fallbackEl) {
      const range = document.createRange();
      range.selectNodeContents(fallbackEl);
      const sel = window.getSelection();
      sel?.removeAllRanges();
      sel?.addRange(range);
    }
    return false;
  }
}
