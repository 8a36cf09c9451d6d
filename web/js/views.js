// The public views. Each renders into the main element from the public API alone. What the API gives in
// Vietnamese (names, achievements) carries lang="vi", so that a screen reader reads it so in the English view.
import { get, post, publicUrl } from "./api.js";
import { day, number, t } from "./i18n.js";
import { el, failure, heading, notice, page, select } from "./ui.js";

const AREAS = ["economy", "culture_society", "environment", "defence_security"];
const YEARS = [2021, 2022, 2023, 2024, 2025];
const STATUSES = ["achieved", "on_track", "at_risk", "off_track", "no_data"];
// The units below the province that its figures add up from (departments report on themselves).
const TERRITORIAL = ["city", "town", "district", "commune", "ward", "township"];

/** Tiến độ: the plan's targets for a unit as of a day, each status explained, a chart on demand. */
export async function progress(main, query) {
  const at = query.get("at") || "";
  const area = query.get("area") || "";
  const unit = query.get("org_unit") || "HT";
  main.replaceChildren(...heading("progress.title", "progress.lead"), notice("", t("loading")));
  let units = [];
  try {
    const found = await get("public/org-units", { parent: "HT", at: at || undefined, limit: 500 });
    units = found.items.filter((item) => TERRITORIAL.includes(item.type));
  } catch {
    units = [];
  }
  // A day or unit from a shared link that the lists do not hold is still shown as chosen.
  const days = [["", t("progress.today")], ...YEARS.map((y) => [`${y}-12-31`, `${t("progress.endOf")} ${y}`])];
  if (at && !days.some(([value]) => value === at)) days.push([at, day(at)]);
  const unitOptions = [["HT", "Tỉnh Hà Tĩnh"], ...units.map((u) => [u.code, u.name])];
  if (!unitOptions.some(([code]) => code === unit)) unitOptions.push([unit, unit]);
  const form = el(
    "form",
    { class: "filters", role: "search" },
    select("at", "progress.year", days, at),
    select("area", "progress.area", [["", t("progress.allAreas")], ...AREAS.map((a) => [a, t(`area.${a}`)])], area),
    select("org_unit", "progress.unit", unitOptions, unit),
    el("button", { class: "primary", type: "submit", text: t("progress.show") }),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new URLSearchParams(new FormData(form));
    for (const [name, value] of [...data]) if (!value) data.delete(name);
    location.hash = `#/tien-do?${data}`;
  });
  let report;
  try {
    report = await get("public/progress", { at: at || undefined, org_unit: unit });
  } catch (error) {
    main.replaceChildren(...heading("progress.title", "progress.lead"), form, failure(error));
    return;
  }
  const rows = report.items.filter((row) => !area || row.indicator.area === area);
  const counts = STATUSES.map((status) => [status, rows.filter((row) => row.status === status).length]);
  const summary = el(
    "p",
    { class: "summary" },
    ...counts.filter(([, n]) => n).map(([status, n]) => el("span", { class: `status status-${status}`, text: `${t(`status.${status}`)}: ${n}` })),
  );
  const list = el("ul", { class: "cards two" });
  const names = new Map(unitOptions);
  for (const row of rows) list.append(progressCard(row, report, unit, names));
  const name = unitOptions.find(([code]) => code === unit)[1];
  main.replaceChildren(
    ...heading("progress.title", "progress.lead"),
    form,
    el("p", { class: "meta shown", text: t("progress.shown", { unit: name, day: day(report.at) }) }),
    summary,
    rows.length ? list : notice("", t("none")),
  );
}

function progressCard(row, report, unit, names) {
  const decimals = row.indicator.value_type === "count" ? 0 : 1;
  // Each summary is named with its target's heading: a screen reader's list of 32 "Biểu đồ" would say nothing.
  const id = `target-${row.target_id}`;
  const chart = el(
    "details",
    {},
    el("summary", { id: `${id}-chart`, "aria-labelledby": `${id}-chart ${id}`, text: t("progress.chart") }),
  );
  chart.addEventListener(
    "toggle",
    () => {
      if (!chart.open || chart.querySelector("img")) return;
      chart.append(
        el("img", {
          class: "chart",
          width: "860",
          height: "420",
          loading: "lazy",
          alt: `${t("progress.chartAlt")}: ${row.indicator.name}`,
          src: publicUrl(`public/targets/${row.target_id}/chart.svg`, { org_unit: unit, at: report.at }),
        }),
      );
    },
  );
  return el(
    "li",
    { class: "card" },
    el("h2", { id: `target-${row.target_id}`, lang: "vi", text: row.indicator.name }),
    el("p", { class: "meta", lang: "vi", text: row.source_text }),
    row.inherited_from ? el("p", { class: "meta", text: `${t("progress.inherited")} ${names.get(row.inherited_from) || row.inherited_from}` }) : null,
    el(
      "p",
      {},
      el("span", { class: `status status-${row.status}`, text: t(`status.${row.status}`) }),
      " ",
      el("span", { class: "why", text: t(`why.${row.status}`) }),
    ),
    el("p", { class: "meta" }, latestText(row, decimals)),
    measureText(row, decimals),
    row.latest_note ? el("p", { class: "meta note" }, `${t("progress.note")}: `, el("span", { lang: "vi", text: row.latest_note })) : null,
    chart,
  );
}

function latestText(row, decimals) {
  const latest = row.measure_kind === "state" && row.latest_value !== null
    ? t(row.latest_value ? "progress.stateMet" : "progress.stateNotMet")
    : `${number(row.latest_value, decimals)} ${row.indicator.unit}`;
  return `${t("progress.latest")}: ${latest}` +
    (row.latest_period ? ` (${row.latest_period})` : "") +
    (row.target_value !== null && row.measure_kind !== "state" ? ` · ${t("progress.target")}: ${number(row.target_value, decimals)}` : "") +
    (row.measure_kind === "latest_value" && row.percent !== null ? ` · ${number(row.percent, 1)}% ${t("progress.percent")}` : "");
}

/** What the status is judged on, when it is not the latest figure: an average, a running sum, the years met,
 * a difference from the reference (so that "105 %" of one year does not seem to contradict "at risk"). */
function measureText(row, decimals) {
  const percent = row.percent !== null ? ` (${number(row.percent, 1)}% ${t("progress.percent")})` : "";
  const measure = `${number(row.measure, decimals)} ${row.indicator.unit}`;
  const text = {
    average: () => `${t("progress.average")}: ${measure}${percent}`,
    compound_average: () => `${t("progress.average")}: ${measure}${percent}`,
    running_sum: () => `${t("progress.runningSum")}: ${measure}${percent}`,
    share_of_years_met: () => `${t("progress.yearsMet")}: ${row.years_met ?? 0}/${row.years_observed ?? 0}`,
    difference: () => `${t("progress.difference")}: ${number(row.measure, decimals)}`,
  }[row.measure_kind];
  return text && row.measure !== null ? el("p", { class: "meta", text: text() }) : null;
}

/** Sổ khen thưởng: search without accents, pages by the API's cursor. */
export async function awards(main, query) {
  const q = query.get("q") || "";
  const year = query.get("year") || "";
  const form = el(
    "form",
    { class: "filters", role: "search" },
    el("label", { for: "f-q" }, t("awards.q"), el("input", { id: "f-q", name: "q", value: q, type: "search", maxlength: "100" })),
    select("year", "awards.year", [["", "–"], ...YEARS.map((y) => [String(y), String(y)])], year),
    el("button", { class: "primary", type: "submit", text: t("awards.search") }),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new URLSearchParams(new FormData(form));
    for (const [name, value] of [...data]) if (!value) data.delete(name);
    location.hash = `#/khen-thuong?${data}`;
  });
  const list = el("ul", { class: "cards" });
  main.replaceChildren(...heading("awards.title", "awards.lead"), form, list);
  await page(main, list, (cursor) => get("public/awards", { q, year, cursor }), awardCard);
}

function awardCard(award) {
  return el(
    "li",
    { class: "card" },
    el("h2", { lang: "vi", text: award.recipient_name }),
    el("p", { class: "meta", lang: "vi", text: [award.recipient_position, award.org_unit_name].filter(Boolean).join(", ") }),
    el("p", { lang: "vi", text: `${award.award_name} · ${award.year}` }),
    el("p", { class: "meta", text: `${t("awards.decision")} ${award.decision_number}, ${day(award.decision_date)} (${t(`authority.${award.decision_authority}`)})` }),
  );
}

/** Công khai: the nominations open for comment, each with the objection form and the platform's answer. */
export async function disclosures(main) {
  const list = el("ul", { class: "cards" });
  main.replaceChildren(...heading("disclosures.title", "disclosures.lead"), list);
  await page(main, list, (cursor) => get("public/disclosures", { cursor }), disclosureCard);
}

function disclosureCard(item) {
  const id = `objection-${item.id}`;
  const answer = el("div", { "aria-live": "polite" });
  // The form is named by the summary that opens it (one heading, not the same words twice).
  const form = el(
    "form",
    { class: "objection", "aria-labelledby": `${id}-title` },
    el("label", { for: `${id}-text` }, t("disclosures.text"), el("textarea", { id: `${id}-text`, name: "text", required: true, minlength: "10", maxlength: "5000" })),
    el("label", { for: `${id}-contact` }, t("disclosures.contact"), el("input", { id: `${id}-contact`, name: "contact", maxlength: "300" })),
    el("button", { class: "primary", type: "submit", text: t("disclosures.send") }),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const body = { text: String(data.get("text") || "") };
    if (data.get("contact")) body.contact = String(data.get("contact"));
    try {
      const receipt = await post(`public/disclosures/${item.id}/objections`, body);
      answer.replaceChildren(notice("ok", t("disclosures.thanks", { id: receipt.id })));
      form.reset();
    } catch (error) {
      answer.replaceChildren(failure(error));
    }
  });
  return el(
    "li",
    { class: "card" },
    el("h2", { lang: "vi", text: item.nominee_name }),
    el("p", { class: "meta", lang: "vi", text: [item.nominee_position, item.nominating_org_unit_name].filter(Boolean).join(", ") }),
    el("p", { lang: "vi", text: item.award_name || item.award_type_code }),
    el("p", { lang: "vi", text: item.achievements }),
    el("p", { class: "meta", text: `${t("disclosures.until")} ${day(item.disclosure_until)}` }),
    el("details", {}, el("summary", { id: `${id}-title`, text: t("disclosures.object") }), form, answer),
  );
}

/** Phong trào: the plan's movements with their reviews. */
export async function movements(main) {
  const list = el("ul", { class: "cards two" });
  main.replaceChildren(...heading("movements.title", "movements.lead"), list);
  await page(main, list, (cursor) => get("movements", { cursor }), movementCard);
}

function movementCard(movement) {
  const reviews = movement.milestones.map((milestone) => `${milestone.name} (${day(milestone.review_on)})`);
  return el(
    "li",
    { class: "card" },
    el("h2", { lang: "vi", text: movement.name }),
    el("p", { lang: "vi", text: movement.theme }),
    el("p", { class: "meta", text: `${t("movements.launched")}: ${movement.launched_by}` }),
    el("p", { class: "meta", text: `${t("movements.period")}: ${day(movement.starts_on)} – ${day(movement.ends_on)}` }),
    reviews.length ? el("p", { class: "meta", text: `${t("movements.reviews")}: ${reviews.join("; ")}` }) : null,
  );
}
