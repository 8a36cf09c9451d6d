// The reference web app: hash routes over the public API, Vietnamese first, English on request.
import { lang, setLang, t } from "./i18n.js";
import * as views from "./views.js";

const ROUTES = {
  "tien-do": views.progress,
  "khen-thuong": views.awards,
  "cong-khai": views.disclosures,
  "phong-trao": views.movements,
};
const NAMES = { "tien-do": "progress", "khen-thuong": "awards", "cong-khai": "disclosures", "phong-trao": "movements" };

function translateChrome() {
  document.title = t("title");
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll("[data-i18n-aria]")) {
    node.setAttribute("aria-label", t(node.dataset.i18nAria));
  }
  const button = document.getElementById("lang");
  button.textContent = lang() === "vi" ? "EN" : "VI";
  button.setAttribute("aria-label", t("switchTo"));
}

async function show() {
  const [path, search = ""] = location.hash.replace(/^#\/?/, "").split("?");
  const route = ROUTES[path] ? path : "tien-do";
  for (const link of document.querySelectorAll("nav a")) {
    if (link.dataset.view === NAMES[route]) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  const main = document.getElementById("view");
  await ROUTES[route](main, new URLSearchParams(search));
  if (document.activeElement && document.activeElement !== document.body) return;
  main.focus({ preventScroll: true });
}

document.getElementById("lang").addEventListener("click", () => {
  setLang(lang() === "vi" ? "en" : "vi");
  const url = new URL(location.href);
  if (lang() === "en") url.searchParams.set("lang", "en");
  else url.searchParams.delete("lang");
  history.replaceState(null, "", url);
  translateChrome();
  show();
});
window.addEventListener("hashchange", show);
setLang(lang());
translateChrome();
show();
