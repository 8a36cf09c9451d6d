// The reference web app: hash routes over the public API, Vietnamese first, English on request.
import { lang, setLang, t } from "./i18n.js";
import * as staff from "./staff.js";
import * as views from "./views.js";

const ROUTES = {
  "tien-do": views.progress,
  "khen-thuong": views.awards,
  "cong-khai": views.disclosures,
  "phong-trao": views.movements,
  "dang-nhap": staff.signIn,
  "hop-thu": staff.inbox,
  "ho-so": staff.nominations,
  "phieu-bau": staff.ballot,
  "nhat-ky-gui": staff.deliveries,
  "khoi-thi-dua": staff.blocks,
};
const NAMES = {
  "tien-do": "progress",
  "khen-thuong": "awards",
  "cong-khai": "disclosures",
  "phong-trao": "movements",
  "dang-nhap": "signIn",
  "hop-thu": "inbox",
  "ho-so": "nominations",
  "phieu-bau": "ballot",
  "nhat-ky-gui": "deliveries",
  "khoi-thi-dua": "blocks",
};

/** The staff links the signed-in person's roles open; the sign-in link names who is signed in. */
async function staffNav() {
  const person = await staff.whoami();
  for (const link of document.querySelectorAll("nav a[data-needs]")) {
    const needs = link.dataset.needs.split(" ");
    link.hidden = !person || !(needs.includes("signed-in") || staff.hasRole(person, ...needs));
  }
  document.getElementById("who").textContent = person ? `${t("nav.signedIn")}: ${person.subject}` : t("nav.signIn");
}

function translateChrome() {
  document.title = t("title");
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll("[data-i18n-aria]")) {
    node.setAttribute("aria-label", t(node.dataset.i18nAria));
  }
  const button = document.getElementById("lang");
  button.textContent = lang() === "vi" ? "EN" : "VI";
  button.setAttribute("aria-label", t("switchTo"));
  staffNav();
}

let shown = 0;

async function show() {
  const [path, search = ""] = location.hash.replace(/^#\/?/, "").split("?");
  const route = ROUTES[path] ? path : "tien-do";
  for (const link of document.querySelectorAll("nav a")) {
    if (link.dataset.view === NAMES[route]) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  // Each route draws into a stage of its own: a slower earlier one finishes into a stage no longer shown.
  const main = document.getElementById("view");
  const stage = document.createElement("div");
  const mine = ++shown;
  main.replaceChildren(stage);
  try {
    await ROUTES[route](stage, new URLSearchParams(search));
  } finally {
    if (mine === shown) {
      stage.dataset.ready = route;
      if (mine > 1) stage.querySelector("h1")?.focus({ preventScroll: false });
    }
  }
}

// The skip link moves focus to the content without changing the route.
document.querySelector(".skip").addEventListener("click", (event) => {
  event.preventDefault();
  document.getElementById("view").focus();
});

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
document.addEventListener("signed-in", staffNav);
setLang(lang());
translateChrome();
show();
