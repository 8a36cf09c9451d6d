// The public API through the gateway, and its problem details said in plain words.
import { lang, t } from "./i18n.js";

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
  },
};

const FIELDS = {
  vi: { text: "nội dung ý kiến", contact: "cách liên hệ", q: "tên", year: "năm", org_unit: "đơn vị", at: "ngày" },
  en: { text: "the comment", contact: "the contact", q: "the name", year: "the year", org_unit: "the unit", at: "the day" },
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
      // "body.text" → the form's own word for the field; a field without one is left out.
      const fields = this.body.errors
        .map((error) => FIELDS[lang()][String(error.location || "").split(".").pop()])
        .filter(Boolean);
      if (fields.length) return `${words}: ${[...new Set(fields)].join(", ")}.`;
    }
    return `${words}.`.replace(/\.\.$/, ".");
  }
}

async function request(path, options = {}) {
  let response;
  try {
    response = await fetch(`/api/v1/${path}`, {
      ...options,
      headers: { Accept: "application/json", ...(options.headers || {}) },
    });
  } catch {
    throw new Problem({ type: "urn:thidua:problem:network", title: t("error.network") }, 0);
  }
  const type = response.headers.get("content-type") || "";
  const body = type.includes("json") ? await response.json() : {};
  if (!response.ok) throw new Problem(body, response.status);
  return body;
}

export function get(path, params = {}) {
  const query = new URLSearchParams(
    Object.entries(params).filter(([, value]) => value !== undefined && value !== null && value !== ""),
  );
  const suffix = query.toString() ? `?${query}` : "";
  return request(`${path}${suffix}`);
}

export function post(path, body) {
  return request(path, {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "Content-Type": "application/json" },
  });
}

export function publicUrl(path, params = {}) {
  const query = new URLSearchParams(Object.entries(params).filter(([, value]) => value));
  return `/api/v1/${path}${query.toString() ? `?${query}` : ""}`;
}
