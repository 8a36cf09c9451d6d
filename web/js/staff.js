// The staff pages: sign-in, the inbox, a unit's nominations, the council ballot and the delivery log. Each
// calls the API with the signed-in token and shows only what the API lets that person see.
import { Problem, get, session, staff } from "./api.js";
import { day, lang, number, t } from "./i18n.js";
import { el, failure, heading, notice, page, select } from "./ui.js";

// The nomination actions a person takes from this page; the others need a form of their own (an override
// names a rule, a forwarding names an office) or are the platform's (the council's result, the decision).
const BUTTONS = ["submit", "resubmit", "withdraw", "screen", "return", "reject", "disclose", "send_to_council"];
const NEEDS_NOTE = new Set(["return", "reject"]);

let me = null; // the signed-in person as /v1/whoami read them, for this page's life only

/** Who is signed in (read once per token), or null. */
export async function whoami() {
  if (!session.token) return null;
  if (me && me.token === session.token) return me;
  try {
    me = { token: session.token, ...(await staff.get("whoami")) };
  } catch (error) {
    if (error instanceof Problem && error.status === 401) session.signOut();
    me = null;
  }
  return me;
}

/** Forget who was signed in (a sign-out, or a token the API no longer takes). */
export function forget() {
  me = null;
}

let awardNames = null; // code → name of the award types in force today (the public catalogue), read once

/** The catalogue's names, read once before cards name their awards. */
async function loadAwardNames() {
  if (awardNames) return;
  const names = new Map();
  try {
    let cursor;
    do {
      const found = await get("award-types", { limit: 500, cursor });
      for (const type of found.items) names.set(type.code, type.name);
      cursor = found.next_cursor;
    } while (cursor);
    awardNames = names;
  } catch {
    // Without the catalogue a nomination still shows its award's code; the next page asks again.
  }
}

/** An award type's name, or its code when the catalogue could not be read. */
function awardLabel(code) {
  return awardNames?.get(code) || code;
}

export function hasRole(person, ...roles) {
  return Boolean(person) && roles.some((role) => person.roles.includes(role));
}

function signedOut(main, titleKey) {
  main.replaceChildren(
    ...heading(titleKey, "staff.signInFirst"),
    el("p", {}, el("a", { href: "#/dang-nhap", text: t("nav.signIn") })),
  );
}

/** Đăng nhập: a development bearer token pasted in; the identity provider's sign-in in production. */
export async function signIn(main) {
  const person = await whoami();
  const form = el(
    "form",
    { class: "filters signin" },
    el(
      "label",
      { for: "f-token" },
      t("signIn.token"),
      el("textarea", { id: "f-token", name: "token", required: true, autocomplete: "off", spellcheck: "false" }),
    ),
    el("button", { class: "primary", type: "submit", text: t("signIn.submit") }),
  );
  const answer = el("div", { "aria-live": "polite" });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const value = String(new FormData(form).get("token") || "").trim();
    session.signIn(value);
    const found = await whoami();
    if (!found) {
      session.signOut();
      answer.replaceChildren(notice("error", t("signIn.refused")));
      return;
    }
    document.dispatchEvent(new CustomEvent("signed-in"));
    location.hash = "#/hop-thu";
  });
  const children = [...heading("signIn.title", "signIn.lead"), el("p", { class: "meta", text: t("signIn.dev") })];
  if (person) {
    const out = el("button", { type: "button", class: "primary", text: t("signIn.out") });
    out.addEventListener("click", () => {
      session.signOut();
      forget();
      document.dispatchEvent(new CustomEvent("signed-in"));
      location.hash = "#/tien-do";
    });
    children.push(
      notice("ok", t("signIn.as", { who: person.subject, roles: person.roles.join(", "), unit: person.org_unit || "–" })),
      out,
    );
  } else {
    children.push(form, answer);
  }
  main.replaceChildren(...children);
}

/** Hộp thư: the person's notifications, newest first, unread first to the eye. */
export async function inbox(main, query) {
  if (!(await whoami())) return signedOut(main, "inbox.title");
  const unread = query.get("unread") || "";
  const count = el("p", { class: "summary", role: "status" });
  const refresh = el("button", { type: "button", class: "primary", text: t("inbox.refresh") });
  const readAll = el("button", { type: "button", text: t("inbox.readAll") });
  const list = el("ul", { class: "cards" });
  const filters = el(
    "form",
    { class: "filters" },
    select("unread", "inbox.show", [["", t("inbox.all")], ["true", t("inbox.unread")]], unread),
    el("button", { class: "primary", type: "submit", text: t("progress.show") }),
  );
  filters.addEventListener("submit", (event) => {
    event.preventDefault();
    const value = new FormData(filters).get("unread");
    location.hash = value ? "#/hop-thu?unread=true" : "#/hop-thu";
  });
  // Each drawing has a number: one started later (a second click on Refresh) makes an earlier one stop
  // before it adds its cards, so the list never holds a page twice.
  let drawing = 0;
  const draw = async (problem = null) => {
    const mine = ++drawing;
    let n = null;
    let counted = null;
    try {
      ({ unread: n } = await staff.get("inbox/unread-count"));
    } catch (error) {
      counted = error;
    }
    if (mine !== drawing) return;
    list.replaceChildren();
    for (const node of main.querySelectorAll(".notice.error, .notice.empty, button.more")) node.remove();
    if (counted) count.replaceChildren(failure(counted));
    else count.textContent = t("inbox.count", { n });
    if (problem) list.before(failure(problem));
    await page(
      main,
      list,
      async (cursor) => {
        const found = await staff.get("inbox", { unread: unread || undefined, cursor });
        return mine === drawing ? found : null;
      },
      (item) => inboxCard(item, draw),
    );
  };
  refresh.addEventListener("click", () => draw());
  readAll.addEventListener("click", async () => {
    try {
      await staff.post("inbox/actions/read-all");
      await draw();
    } catch (error) {
      await draw(error); // said after the list is drawn again, not removed by it
    }
  });
  main.replaceChildren(
    ...heading("inbox.title", "inbox.lead"),
    filters,
    count,
    el("p", { class: "actions" }, refresh, " ", readAll),
    list,
  );
  await draw();
}

function inboxCard(item, redraw) {
  const card = el(
    "li",
    { class: item.read_at ? "card" : "card unread" },
    // In the recipient's own language (the notifications service writes it so): no lang of its own.
    el("h2", { text: item.title }),
    el("p", { class: "meta", text: `${item.read_at ? t("inbox.read") : t("inbox.new")} · ${when(item.occurred_at)}` }),
    el("p", { class: "body", text: item.body }),
  );
  if (!item.read_at) {
    const mark = el("button", { type: "button", text: t("inbox.markRead") });
    mark.addEventListener("click", async () => {
      try {
        await staff.post(`inbox/${item.id}/read`);
        await redraw();
      } catch (error) {
        card.append(failure(error));
      }
    });
    card.append(mark);
  }
  return card;
}

/** An instant as a day and time in Vietnam, whatever the browser's zone (00:00-07:00 there is still the day
 * before in UTC: shared/clock.py). */
function when(instant) {
  return new Intl.DateTimeFormat(lang() === "en" ? "en-GB" : "vi-VN", {
    timeZone: "Asia/Ho_Chi_Minh",
    day: "2-digit",
    month: "2-digit",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(new Date(instant));
}

/** Hồ sơ: the nominations the person may read (a unit officer: its unit's), each with what may be done now
 * and the rules it is judged by. */
export async function nominations(main, query) {
  if (!(await whoami())) return signedOut(main, "nominations.title");
  const status = query.get("status") || "";
  const statuses = ["draft", "submitted", "returned", "screening", "public_comment", "council", "disclosure", "approved", "decided", "withdrawn", "forwarded"];
  const form = el(
    "form",
    { class: "filters" },
    select("status", "nominations.status", [["", "–"], ...statuses.map((s) => [s, t(`nstatus.${s}`)])], status),
    el("button", { class: "primary", type: "submit", text: t("progress.show") }),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const value = new FormData(form).get("status");
    location.hash = value ? `#/ho-so?status=${value}` : "#/ho-so";
  });
  const list = el("ul", { class: "cards" });
  main.replaceChildren(...heading("nominations.title", "nominations.lead"), form, list);
  await loadAwardNames();
  await page(main, list, (cursor) => staff.get("nominations", { status, cursor }), nominationCard);
}

function nominationCard(summary) {
  const more = el("details", {}, el("summary", { text: t("nominations.open") }));
  const body = el("div", { class: "detail" });
  more.append(body);
  const load = async () => {
    body.replaceChildren(notice("", t("loading")));
    let read;
    let eligibility;
    let returnNote = null;
    try {
      read = await staff.read(`nominations/${summary.id}`);
      // Before screening there is no snapshot: the rules as they judge the dossier now.
      eligibility = read.body.eligibility || (await staff.get(`nominations/${summary.id}/eligibility`));
      if (read.body.status === "returned") {
        // Why it came back: the note of its last return (the trail is oldest first).
        const trail = await staff.get(`nominations/${summary.id}/events`, { limit: 500 });
        returnNote = trail.items.filter((event) => event.action === "return").at(-1)?.note || null;
      }
    } catch (error) {
      body.replaceChildren(failure(error));
      return;
    }
    body.replaceChildren(...nominationDetail(read.body, eligibility, returnNote, read.etag, load));
  };
  more.addEventListener("toggle", () => {
    if (more.open && !body.children.length) load();
  });
  return el(
    "li",
    { class: "card", "data-nomination": String(summary.id) },
    el("h2", { lang: "vi", text: summary.nominee_name }),
    el("p", { class: "meta" }, el("span", { lang: "vi", text: awardLabel(summary.award_type_code) }), ` · ${summary.nominating_org_unit} · ${t("nominations.number")} ${summary.id}`),
    el("p", {}, el("span", { class: "pill", text: t(`nstatus.${summary.status}`) })),
    more,
  );
}

function nominationDetail(nomination, eligibility, returnNote, etag, reload) {
  const parts = [
    el("p", { lang: "vi", text: nomination.award_name }),
    el("p", { class: "meta", lang: "vi", text: nomination.achievements }),
  ];
  const verdicts = eligibility?.verdicts || [];
  if (returnNote) parts.push(notice("", `${t("nominations.returnedFor")}: ${returnNote}`));
  if (verdicts.length) {
    parts.push(el("h3", { text: t(nomination.eligibility ? "nominations.eligibility" : "nominations.eligibilityNow") }));
    parts.push(rulesList(verdicts));
  } else {
    parts.push(el("p", { class: "meta", text: t("nominations.notScreened") }));
  }
  return parts.concat(actionParts(nomination, etag, reload));
}

function rulesList(verdicts) {
  const rules = el("ul", { class: "rules" });
  for (const verdict of verdicts) {
      rules.append(
        el(
          "li",
          {},
          el("span", { class: `verdict verdict-${verdict.status}`, text: t(`verdict.${verdict.status}`) + (verdict.overridden ? ` (${t("verdict.overridden")})` : "") }),
          " ",
          el("span", { lang: "vi", text: `${verdict.description}: ` }),
          // The reason in Vietnamese where the API gives it (older snapshots have it in English only).
          lang() === "vi" && verdict.reason_vi
            ? el("span", { lang: "vi", text: verdict.reason_vi })
            : el("span", { lang: "en", text: verdict.reason }),
          el("span", { class: "meta", lang: "vi", text: ` (${verdict.legal_source})` }),
        ),
      );
  }
  return rules;
}

/** The actions the API allows the caller now, a reason for those that need one, and the answer. */
function actionParts(nomination, etag, reload) {
  const parts = [];
  const actions = nomination.allowed_actions.filter((action) => BUTTONS.includes(action));
  parts.push(el("h3", { text: t("nominations.actions") }));
  if (!actions.length) {
    parts.push(el("p", { class: "meta", text: t("nominations.noActions") }));
    return parts;
  }
  const id = `note-${nomination.id}`;
  const note = el("textarea", { id, name: "note", maxlength: "5000" });
  const answer = el("div", { "aria-live": "polite" });
  const buttons = el("p", { class: "actions" });
  for (const action of actions) {
    const button = el("button", { type: "button", class: "primary", "data-action": action, text: t(`action.${action}`) });
    button.addEventListener("click", async () => {
      const text = note.value.trim();
      if (NEEDS_NOTE.has(action) && !text) {
        answer.replaceChildren(notice("error", t("nominations.noteNeeded")));
        note.focus();
        return;
      }
      for (const other of buttons.querySelectorAll("button")) other.disabled = true;
      try {
        const done = await staff.post(`nominations/${nomination.id}/actions/${action}`, text ? { note: text } : {}, { "If-Match": etag });
        await reload();
        const status = t(`nstatus.${done.status}`);
        const card = document.querySelector(`[data-nomination="${nomination.id}"]`);
        card?.querySelector(".pill")?.replaceChildren(status);
        card?.querySelector(".detail")?.prepend(notice("ok", t("nominations.done", { status })));
      } catch (error) {
        if (error instanceof Problem && error.status === 412) {
          // Changed by someone else: the dossier as it is now, and why it was drawn again.
          await reload();
          document.querySelector(`[data-nomination="${nomination.id}"] .detail`)?.prepend(failure(error));
          return;
        }
        answer.replaceChildren(failure(error));
        for (const other of buttons.querySelectorAll("button")) other.disabled = false;
      }
    });
    buttons.append(button, " ");
  }
  parts.push(el("label", { for: id }, t("nominations.note"), note), buttons, answer);
  return parts;
}

/** Phiếu bầu: a council member's secret ballot for each open session they sit on. The answer is the
 * receipt alone; the choices are not shown again, kept in the page, or sent anywhere else. */
export async function ballot(main) {
  const person = await whoami();
  if (!person) return signedOut(main, "ballot.title");
  const list = el("ul", { class: "cards" });
  main.replaceChildren(...heading("ballot.title", "ballot.lead"), list);
  if (!hasRole(person, "council_member")) {
    list.replaceWith(notice("", t("ballot.notMember")));
    return;
  }
  const sessions = [];
  try {
    // Every page: an open session can sit behind closed ones (the list is newest first).
    let cursor;
    do {
      const found = await staff.get("council-sessions", { limit: 100, cursor });
      sessions.push(...found.items.filter((s) => s.status === "open"));
      cursor = found.next_cursor;
    } while (cursor);
    await loadAwardNames();
  } catch (error) {
    list.replaceWith(failure(error));
    return;
  }
  for (const summary of sessions) {
    let detail;
    try {
      detail = await staff.get(`council-sessions/${summary.id}`);
    } catch (error) {
      list.append(el("li", { class: "card" }, failure(error)));
      continue;
    }
    const seat = detail.members.find((member) => member.subject === person.subject);
    if (seat) list.append(ballotCard(detail, seat));
  }
  if (!list.children.length) list.replaceWith(notice("", t("ballot.none")));
}

/** A nomination on the agenda, read when the member opens it: what it is for and the rules it was judged by. */
function dossier(nominationId) {
  const more = el("details", { class: "dossier" }, el("summary", { text: t("ballot.dossier") }));
  const body = el("div", {});
  more.append(body);
  more.addEventListener("toggle", async () => {
    if (!more.open || body.dataset.loaded) return;
    try {
      const nomination = await staff.get(`nominations/${nominationId}`);
      body.dataset.loaded = "yes";
      const verdicts = nomination.eligibility?.verdicts || [];
      body.replaceChildren(
        el("p", { lang: "vi", text: nomination.award_name }),
        el("p", { class: "meta", lang: "vi", text: nomination.achievements }),
        ...(verdicts.length ? [rulesList(verdicts)] : []),
      );
    } catch (error) {
      body.replaceChildren(failure(error));
    }
  });
  return more;
}

function ballotCard(detail, seat) {
  const cast = (n) => `${t("ballot.held")} ${day(detail.held_on)} · ${t("ballot.cast", { n, of: detail.members.length })}`;
  const count = el("p", { class: "meta", text: cast(detail.ballots_cast) });
  const card = el(
    "li",
    { class: "card", "data-session": String(detail.id) },
    el("h2", { lang: "vi", text: detail.name }),
    count,
  );
  if (seat.voted) {
    card.append(notice("ok", t("ballot.already")));
    return card;
  }
  const form = el("form", { class: "ballot" });
  for (const item of detail.agenda) {
    const group = el(
      "fieldset",
      {},
      el("legend", { lang: "vi", text: `${item.nominee_name} (${awardLabel(item.award_type_code)}, ${item.nominating_org_unit})` }),
    );
    group.append(dossier(item.nomination_id));
    for (const choice of ["approve", "reject", "abstain"]) {
      const id = `c-${detail.id}-${item.nomination_id}-${choice}`;
      group.append(
        el(
          "label",
          { class: "choice", for: id },
          el("input", { type: "radio", id, name: String(item.nomination_id), value: choice, required: true }),
          t(`choice.${choice}`),
        ),
      );
    }
    form.append(group);
  }
  const answer = el("div", { "aria-live": "polite" });
  form.append(el("button", { class: "primary", type: "submit", text: t("ballot.send") }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const choices = Object.fromEntries(new FormData(form));
    try {
      const receipt = await staff.post(`council-sessions/${detail.id}/ballots`, { choices });
      // The choices leave the page with the form: only the receipt stays.
      form.remove();
      answer.replaceChildren(notice("ok", t("ballot.receipt", { session: receipt.session_id })));
      try {
        count.textContent = cast((await staff.get(`council-sessions/${detail.id}`)).ballots_cast);
      } catch {
        // The count stays as read; the receipt is what matters.
      }
    } catch (error) {
      answer.replaceChildren(failure(error));
    }
  });
  card.append(form, answer);
  return card;
}

/** Nhật ký gửi: every email, webhook and inbox delivery, newest first (secretariat, admin). */
export async function deliveries(main, query) {
  const person = await whoami();
  if (!person) return signedOut(main, "deliveries.title");
  const status = query.get("status") || "";
  const channel = query.get("channel") || "";
  const form = el(
    "form",
    { class: "filters" },
    select("status", "deliveries.status", [["", "–"], ...["queued", "sending", "sent", "retrying", "dead"].map((s) => [s, t(`dstatus.${s}`)])], status),
    select("channel", "deliveries.channel", [["", "–"], ...["email", "webhook", "inbox"].map((c) => [c, t(`channel.${c}`)])], channel),
    el("button", { class: "primary", type: "submit", text: t("progress.show") }),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new URLSearchParams(new FormData(form));
    for (const [name, value] of [...data]) if (!value) data.delete(name);
    location.hash = `#/nhat-ky-gui?${data}`;
  });
  const list = el("ul", { class: "cards" });
  main.replaceChildren(...heading("deliveries.title", "deliveries.lead"), form, list);
  await page(main, list, (cursor) => staff.get("deliveries", { status, channel, cursor }), deliveryCard);
}

function deliveryCard(delivery) {
  return el(
    "li",
    { class: "card" },
    el("h2", { lang: "en", text: delivery.event_type }),
    el("p", {}, el("span", { class: "pill", text: t(`dstatus.${delivery.status}`) || delivery.status }), ` ${t(`channel.${delivery.channel}`)} → ${delivery.address || delivery.recipient}`),
    el("p", { class: "meta", text: `${t("deliveries.attempts")}: ${delivery.attempts} · ${when(delivery.created_at)}${delivery.sent_at ? ` · ${t("deliveries.sent")} ${when(delivery.sent_at)}` : ""}` }),
    delivery.last_error ? el("p", { class: "meta", lang: "en", text: delivery.last_error }) : null,
  );
}

/** Khối thi đua: the emulation blocks of a year, their members with the leader and deputy, and the ranking
 * (live, or adopted) with each top criterion's points (any signed-in person reads them). */
export async function blocks(main, query) {
  if (!(await whoami())) return signedOut(main, "blocks.title");
  const year = query.get("year") || "";
  const years = Array.from({ length: 8 }, (_, i) => String(2021 + i));
  if (year && !years.includes(year)) years.push(year); // a shared link's year stays chosen
  const form = el(
    "form",
    { class: "filters" },
    select("year", "blocks.year", [["", "–"], ...years.map((y) => [y, y])], year),
    el("button", { class: "primary", type: "submit", text: t("progress.show") }),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const value = new FormData(form).get("year");
    location.hash = value ? `#/khoi-thi-dua?year=${value}` : "#/khoi-thi-dua";
  });
  const list = el("ul", { class: "cards" });
  main.replaceChildren(...heading("blocks.title", "blocks.lead"), form, list);
  await page(main, list, (cursor) => staff.get("blocks", { year, cursor }), blockCard);
}

function blockCard(block) {
  const id = `block-${block.id}`;
  // Named with the block's heading, as each chart is: every block's summary says "Bảng xếp hạng".
  const more = el("details", {}, el("summary", { id: `${id}-ranking`, "aria-labelledby": `${id}-ranking ${id}`, text: t("blocks.ranking") }));
  const body = el("div", { class: "detail" });
  more.append(body);
  more.addEventListener("toggle", async () => {
    if (!more.open || body.dataset.loaded) return;
    body.replaceChildren(notice("", t("loading")));
    let detail;
    let ranking;
    try {
      [detail, ranking] = await Promise.all([staff.get(`blocks/${block.id}`), staff.get(`blocks/${block.id}/ranking`)]);
    } catch (error) {
      body.replaceChildren(failure(error)); // not marked loaded: opened again, it asks again
      return;
    }
    body.dataset.loaded = "yes";
    body.replaceChildren(...blockDetail(detail, ranking));
  });
  return el(
    "li",
    { class: "card", "data-block": String(block.id) },
    el("h2", { id, lang: "vi", text: `${block.name} (${block.year})` }),
    el("p", { class: "meta", text: `${t("blocks.leader")}: ${block.leader} · ${t("blocks.deputy")}: ${block.deputy}` }),
    el("p", {}, el("span", { class: "pill", text: t(`bstatus.${block.status}`) })),
    more,
  );
}

function blockDetail(detail, ranking) {
  const tops = detail.criteria.filter((criterion) => !criterion.parent);
  const head = el(
    "tr",
    {},
    el("th", { scope: "col", text: t("blocks.rank") }),
    el("th", { scope: "col", text: t("blocks.unit") }),
    ...tops.map((criterion) => el("th", { scope: "col", lang: "vi", text: `${criterion.code}. ${criterion.title} (${number(criterion.max_points, 0)})` })),
    el("th", { scope: "col", text: t("blocks.total") }),
  );
  const rows = ranking.items.map((item) =>
    el(
      "tr",
      {},
      el("td", { text: String(item.rank) }),
      el("th", { scope: "row", lang: "vi", text: item.org_unit_name }),
      ...tops.map((criterion) => el("td", { text: number(item.subtotals[criterion.code] ?? null, 1) })),
      el("td", { text: number(item.total, 1) + (item.complete ? "" : ` (${t("blocks.missing", { n: item.missing.length })})`) }),
    ),
  );
  const table = el(
    "table",
    { class: "ranking" },
    el("caption", { text: t(ranking.adopted ? "blocks.adopted" : "blocks.live", { day: detail.adopted_on ? day(detail.adopted_on) : "" }) }),
    el("thead", {}, head),
    el("tbody", {}, ...rows),
  );
  const parts = [];
  if (detail.description) parts.push(el("p", { class: "meta", lang: "vi", text: detail.description }));
  parts.push(el("div", { class: "scroll", tabindex: "0", role: "region", "aria-labelledby": `block-${detail.id}-ranking block-${detail.id}` }, table));
  const names = new Map(detail.members.map((member) => [member.org_unit, member.org_unit_name]));
  parts.unshift(el("p", { class: "meta", lang: "vi", text: `${t("blocks.leader")}: ${names.get(detail.leader) || detail.leader} · ${t("blocks.deputy")}: ${names.get(detail.deputy) || detail.deputy}` }));
  if (ranking.tie_breaks.length) parts.push(el("p", { class: "meta", text: t("blocks.ties", { order: ranking.tie_breaks.join(", ") }) }));
  return parts;
}
