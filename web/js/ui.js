// The few pieces every view is drawn with.
import { Problem } from "./api.js";
import { t } from "./i18n.js";

export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

export function notice(kind, text) {
  return el("p", { class: `notice ${kind}`, role: kind === "error" ? "alert" : "status", text });
}

export function failure(error) {
  return notice("error", error instanceof Problem ? error.plain() : t("error.network"));
}

export function heading(key, leadKey) {
  return [el("h1", { text: t(key), tabindex: "-1" }), el("p", { class: "lead", text: t(leadKey) })];
}

export function select(name, label, options, chosen) {
  const field = el("select", { name, id: `f-${name}` });
  for (const [value, text] of options) {
    field.append(el("option", { value, selected: String(value) === String(chosen), text }));
  }
  return el("label", { for: `f-${name}` }, t(label), field);
}

/** A list paged by the API's cursor: the first page now, the next on request. ``fetchPage`` answers null
 * when the list is being drawn anew meanwhile (nothing is added then). */
export async function page(main, list, fetchPage, render, cursor = undefined) {
  let found;
  try {
    found = await fetchPage(cursor);
  } catch (error) {
    const said = failure(error);
    list.after(said);
    if (cursor !== undefined) {
      // The next page failed: the button comes back to try it again.
      const again = el("button", { class: "more", type: "button", text: t("more") });
      again.addEventListener("click", () => {
        said.remove();
        again.remove();
        page(main, list, fetchPage, render, cursor);
      }, { once: true });
      said.after(again);
    }
    return;
  }
  if (found === null) return; // a newer drawing of the same list took over
  const first = list.children.length;
  for (const item of found.items) list.append(render(item));
  if (cursor !== undefined && list.children[first]) {
    // A next page asked for by its button: the keyboard goes on from the first new item, not the page's top.
    const start = list.children[first];
    start.setAttribute("tabindex", "-1");
    start.focus();
  }
  // Said beside the list, which stays (a view that draws again reuses it).
  if (!list.children.length) list.after(el("p", { class: "notice empty", role: "status", text: t("none") }));
  const previous = main.querySelector("button.more");
  if (previous) previous.remove();
  if (found.next_cursor) {
    const more = el("button", { class: "more", type: "button", text: t("more") });
    // Once: a second click while the page loads would append the same page twice.
    more.addEventListener("click", () => {
      more.disabled = true;
      page(main, list, fetchPage, render, found.next_cursor);
    }, { once: true });
    list.after(more);
  }
}

