// The API through the gateway, and its problem details said in plain words.
import { lang, t } from "./i18n.js";

// The one thing kept in the browser: a development bearer token, for this tab only (the session storage), so that
// a reload keeps the person signed in. In production the identity provider's token is held in memory
// (docs/web.md, "Signing in").
const TOKEN_KEY = "thidua.dev-token";
let token = window.sessionStorage.getItem(TOKEN_KEY) || "";

export const session = {
  get token() {
    return token;
  },
  signIn(value) {
    token = value;
    window.sessionStorage.setItem(TOKEN_KEY, value);
  },
  signOut() {
    token = "";
    window.sessionStorage.removeItem(TOKEN_KEY);
  },
};

const PLAIN = {
  vi: {
    "validation-error": "Thông tin gửi lên chưa hợp lệ",
    "disclosure-not-found": "Trường hợp này không còn trong thời gian công khai, hoặc không có.",
    "org-unit-not-found": "Không tìm thấy đơn vị này.",
    "target-not-found": "Không tìm thấy chỉ tiêu này.",
    "target-not-covered": "Đơn vị này không được đánh giá theo chỉ tiêu này.",
    "plan-not-found": "Không tìm thấy kế hoạch.",
    "invalid-cursor": "Danh sách đã thay đổi; vui lòng tải lại trang.",
    "too-many-requests": "Bạn gửi quá nhiều yêu cầu; vui lòng chờ một lát rồi thử lại.",
    network: "Không kết nối được máy chủ. Vui lòng thử lại sau ít phút.",
    "missing-token": "Vui lòng đăng nhập để xem mục này.",
    "invalid-token": "Phiên đăng nhập không hợp lệ hoặc đã hết hạn; vui lòng đăng nhập lại.",
    unauthorized: "Vui lòng đăng nhập để xem mục này.",
    "missing-role": "Tài khoản của bạn không có quyền xem hoặc làm việc này.",
    forbidden: "Tài khoản của bạn không có quyền làm việc này.",
    "out-of-scope": "Mục này thuộc đơn vị khác, ngoài phạm vi của bạn.",
    "action-not-allowed": "Hồ sơ đang ở bước không cho phép thao tác này.",
    "action-forbidden": "Bạn không được thực hiện thao tác này với hồ sơ.",
    "note-required": "Thao tác này cần ghi rõ lý do.",
    "deadline-passed": "Đã quá hạn của đợt khen thưởng.",
    "not-eligible": "Hồ sơ chưa đủ điều kiện theo quy định; xem phần điều kiện.",
    "precondition-failed": "Hồ sơ vừa được người khác thay đổi; trang đã tải lại, vui lòng thử lại.",
    "version-mismatch": "Hồ sơ vừa được người khác thay đổi; trang đã tải lại, vui lòng thử lại.",
    "precondition-required": "Hồ sơ vừa được người khác thay đổi; trang đã tải lại, vui lòng thử lại.",
    "nomination-not-found": "Không tìm thấy hồ sơ này.",
    "council-session-not-found": "Không tìm thấy phiên họp này.",
    "not-a-member": "Bạn không phải thành viên của phiên họp này.",
    "already-voted": "Bạn đã bỏ phiếu trong phiên họp này; mỗi thành viên chỉ bỏ phiếu một lần.",
    "session-closed": "Phiên họp đã kết thúc bỏ phiếu.",
    "invalid-ballot": "Phiếu cần có lựa chọn cho mọi hồ sơ trong chương trình họp.",
    "inbox-item-not-found": "Không tìm thấy thông báo này.",
  },
  en: {
    "validation-error": "Some of what was sent is not valid",
    "disclosure-not-found": "This nomination is not (or no longer) under public disclosure.",
    "org-unit-not-found": "This unit was not found.",
    "target-not-found": "This target was not found.",
    "target-not-covered": "This unit is not judged on this target.",
    "plan-not-found": "The plan was not found.",
    "invalid-cursor": "The list changed; please reload the page.",
    "too-many-requests": "Too many requests; please wait a moment and try again.",
    network: "The server could not be reached. Please try again in a few minutes.",
    "missing-token": "Please sign in to see this.",
    "invalid-token": "The sign-in is not valid or has expired; please sign in again.",
    unauthorized: "Please sign in to see this.",
    "missing-role": "Your account may not see or do this.",
    forbidden: "Your account may not do this.",
    "out-of-scope": "This belongs to another unit, outside your scope.",
    "action-not-allowed": "The nomination is at a step that does not allow this action.",
    "action-forbidden": "You may not take this action on the nomination.",
    "note-required": "This action needs a written reason.",
    "deadline-passed": "The round's deadline has passed.",
    "not-eligible": "The nomination does not meet the rules yet; see its eligibility.",
    "precondition-failed": "Someone else just changed the nomination; the page was reloaded, please try again.",
    "version-mismatch": "Someone else just changed the nomination; the page was reloaded, please try again.",
    "precondition-required": "Someone else just changed the nomination; the page was reloaded, please try again.",
    "nomination-not-found": "This nomination was not found.",
    "council-session-not-found": "This council session was not found.",
    "not-a-member": "You do not sit on this council session.",
    "already-voted": "You have already voted in this session; each member votes once.",
    "session-closed": "The session's vote is over.",
    "invalid-ballot": "The ballot needs a choice for every nomination on the agenda.",
    "inbox-item-not-found": "This notification was not found.",
  },
};

const FIELDS = {
  vi: { text: "nội dung ý kiến", contact: "cách liên hệ", q: "tên", year: "năm", org_unit: "đơn vị", at: "ngày", note: "lý do", choices: "phiếu bầu" },
  en: { text: "the comment", contact: "the contact", q: "the name", year: "the year", org_unit: "the unit", at: "the day", note: "the reason", choices: "the ballot" },
};

// Pydantic's error types as the person reads them (the detail of each says the exact bound).
const WRONG = {
  vi: { string_too_short: "quá ngắn", string_too_long: "quá dài", missing: "chưa được điền", too_short: "chưa đủ", too_long: "quá nhiều" },
  en: { string_too_short: "is too short", string_too_long: "is too long", missing: "is missing", too_short: "has too few", too_long: "has too many" },
};

export class Problem extends Error {
  constructor(body, status) {
    super(body.detail || body.title || String(status));
    this.body = body;
    this.status = status;
  }

  get slug() {
    const type = this.body.type || "";
    if (this.status === 429) return "too-many-requests";
    return type.includes(":problem:") ? type.split(":problem:")[1] : type;
  }

  /** The problem in plain words for the person reading, never the raw document. */
  plain() {
    const words = PLAIN[lang()][this.slug];
    if (!words) {
      return lang() === "vi"
        ? "Đã có lỗi khi xử lý yêu cầu. Vui lòng thử lại sau."
        : "The request could not be handled. Please try again later.";
    }
    if (this.slug === "validation-error" && Array.isArray(this.body.errors)) {
      // "body.text" → the form's own word for the field, and what is wrong with it when the API's error type
      // says it plainly (too short, too long, missing); a field without a word of the form's is left out.
      const fields = this.body.errors
        .map((error) => {
          const field = FIELDS[lang()][String(error.location || "").split(".").pop()];
          const wrong = WRONG[lang()][error.type];
          return field && wrong ? `${field} ${wrong}` : field;
        })
        .filter(Boolean);
      if (fields.length) return `${words}: ${[...new Set(fields)].join(", ")}.`;
    }
    return `${words}.`.replace(/\.\.$/, ".");
  }
}

/** The answer's body; with ``withEtag``, ``{ body, etag }``. Staff calls carry the signed-in token. */
async function request(path, options = {}, { signed = false, withEtag = false } = {}) {
  const headers = { Accept: "application/json", ...(options.headers || {}) };
  if (signed && token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(`/api/v1/${path}`, { ...options, headers });
  } catch {
    throw new Problem({ type: "urn:thidua:problem:network", title: t("error.network") }, 0);
  }
  const type = response.headers.get("content-type") || "";
  const body = type.includes("json") ? await response.json() : {};
  if (signed && token && response.status === 401) {
    // The token is no longer taken (expired, or the keys turned): signed out everywhere in the page.
    session.signOut();
    document.dispatchEvent(new CustomEvent("signed-in"));
  }
  if (!response.ok) throw new Problem(body, response.status);
  return withEtag ? { body, etag: response.headers.get("etag") } : body;
}

function withQuery(path, params) {
  const query = new URLSearchParams(
    Object.entries(params).filter(([, value]) => value !== undefined && value !== null && value !== ""),
  );
  return query.toString() ? `${path}?${query}` : path;
}

export function get(path, params = {}) {
  return request(withQuery(path, params));
}

export function post(path, body) {
  return request(path, {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "Content-Type": "application/json" },
  });
}

/** The staff API, with the signed-in token. */
export const staff = {
  get(path, params = {}) {
    return request(withQuery(path, params), {}, { signed: true });
  },
  read(path) {
    return request(path, {}, { signed: true, withEtag: true });
  },
  post(path, body = undefined, headers = {}) {
    const options = { method: "POST", headers: { ...headers } };
    if (body !== undefined) {
      options.body = JSON.stringify(body);
      options.headers["Content-Type"] = "application/json";
    }
    return request(path, options, { signed: true });
  },
};

export function publicUrl(path, params = {}) {
  const query = new URLSearchParams(Object.entries(params).filter(([, value]) => value));
  return `/api/v1/${path}${query.toString() ? `?${query}` : ""}`;
}
