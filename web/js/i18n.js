// Vietnamese first; English on request (?lang=en or the button). Nothing is kept in the browser's storage.
const TEXT = {
  vi: {
    title: "Thi đua, khen thưởng tỉnh Hà Tĩnh",
    skip: "Bỏ qua, đến nội dung chính",
    nav: "Mục chính",
    "nav.progress": "Tiến độ chỉ tiêu",
    "nav.awards": "Sổ khen thưởng",
    "nav.disclosures": "Công khai hồ sơ",
    "nav.movements": "Phong trào thi đua",
    foot: "Dữ liệu từ API công khai của nền tảng; số liệu minh họa được ghi rõ nguồn.",
    switchTo: "English",
    loading: "Đang tải…",
    more: "Xem thêm",
    none: "Không có mục nào.",
    "progress.title": "Tiến độ thực hiện các chỉ tiêu",
    "progress.lead": "Mỗi chỉ tiêu của kế hoạch, số liệu mới nhất và dự báo đến cuối kỳ.",
    "progress.year": "Tính đến",
    "progress.today": "Hôm nay",
    "progress.endOf": "Hết năm",
    "progress.area": "Lĩnh vực",
    "progress.allAreas": "Tất cả lĩnh vực",
    "progress.unit": "Đơn vị",
    "progress.show": "Xem",
    "progress.latest": "Số liệu mới nhất",
    "progress.target": "Mục tiêu",
    "progress.percent": "so với mục tiêu",
    "progress.chart": "Biểu đồ",
    "progress.chartAlt": "Biểu đồ số liệu, đường mục tiêu và dự báo của chỉ tiêu",
    "progress.inherited": "Chỉ tiêu của",
    "area.economy": "Kinh tế",
    "area.culture_society": "Văn hóa - xã hội",
    "area.environment": "Tài nguyên, môi trường",
    "area.defence_security": "Quốc phòng, an ninh",
    "status.achieved": "Đã đạt",
    "status.on_track": "Đúng tiến độ",
    "status.at_risk": "Có nguy cơ không đạt",
    "status.off_track": "Chậm tiến độ",
    "status.no_data": "Chưa có số liệu",
    "why.achieved": "Mục tiêu đã đạt theo cách tính của loại chỉ tiêu này.",
    "why.on_track": "Chưa đạt, nhưng dự báo đến năm cuối kế hoạch sẽ đạt.",
    "why.at_risk": "Dự báo còn thiếu, nhưng trong biên độ cho phép của kế hoạch.",
    "why.off_track": "Dự báo thiếu quá biên độ, hoặc kế hoạch đã kết thúc mà chưa đạt.",
    "why.no_data": "Chưa có số liệu năm nào của kế hoạch tính đến ngày xem.",
    "awards.title": "Sổ khen thưởng",
    "awards.lead": "Tìm theo tên người, tập thể; gõ không dấu cũng được.",
    "awards.q": "Tên",
    "awards.year": "Năm",
    "awards.search": "Tìm",
    "awards.decision": "Quyết định",
    "disclosures.title": "Công khai hồ sơ đề nghị khen thưởng",
    "disclosures.lead": "Các trường hợp đang lấy ý kiến. Ai cũng có thể góp ý trước hạn.",
    "disclosures.until": "Nhận ý kiến đến hết ngày",
    "disclosures.object": "Gửi ý kiến về trường hợp này",
    "disclosures.text": "Nội dung ý kiến (10 đến 5.000 ký tự)",
    "disclosures.contact": "Cách liên hệ với bạn (không bắt buộc, không công khai)",
    "disclosures.send": "Gửi ý kiến",
    "disclosures.thanks": "Đã nhận ý kiến của bạn (số {id}). Cơ quan thường trực sẽ xem xét.",
    "movements.title": "Các phong trào thi đua",
    "movements.lead": "Các phong trào, cuộc vận động của Kế hoạch thi đua giai đoạn 2021 - 2025.",
    "movements.launched": "Phát động",
    "movements.period": "Thời gian",
    "movements.reviews": "Sơ kết, tổng kết",
    "error.network": "Không kết nối được máy chủ. Vui lòng thử lại sau ít phút.",
  },
  en: {
    title: "Emulation and commendation, Hà Tĩnh province",
    skip: "Skip to the main content",
    nav: "Main",
    "nav.progress": "Target progress",
    "nav.awards": "Awards registry",
    "nav.disclosures": "Public disclosure",
    "nav.movements": "Emulation movements",
    foot: "Data from the platform's public API; illustrative figures say so and name their source.",
    switchTo: "Tiếng Việt",
    loading: "Loading…",
    more: "Show more",
    none: "Nothing here.",
    "progress.title": "Progress of the plan's targets",
    "progress.lead": "Each target of the plan, its latest figure and the projection to the plan's end.",
    "progress.year": "As of",
    "progress.today": "Today",
    "progress.endOf": "End of",
    "progress.area": "Area",
    "progress.allAreas": "All areas",
    "progress.unit": "Unit",
    "progress.show": "Show",
    "progress.latest": "Latest figure",
    "progress.target": "Target",
    "progress.percent": "of the target",
    "progress.chart": "Chart",
    "progress.chartAlt": "Chart of the figures, the target line and the projection",
    "progress.inherited": "Target of",
    "area.economy": "Economy",
    "area.culture_society": "Culture and society",
    "area.environment": "Natural resources and environment",
    "area.defence_security": "Defence and security",
    "status.achieved": "Achieved",
    "status.on_track": "On track",
    "status.at_risk": "At risk",
    "status.off_track": "Off track",
    "status.no_data": "No data",
    "why.achieved": "The target is met, by the rule of its kind.",
    "why.on_track": "Not met yet; the projection to the plan's last year meets it.",
    "why.at_risk": "The projection falls short, within the plan's margin.",
    "why.off_track": "The projection falls short by more than the margin, or the plan ended unmet.",
    "why.no_data": "No figure for any plan year up to the day shown.",
    "awards.title": "Awards registry",
    "awards.lead": "Search by the name of a person or collective; accents are optional.",
    "awards.q": "Name",
    "awards.year": "Year",
    "awards.search": "Search",
    "awards.decision": "Decision",
    "disclosures.title": "Nominations under public disclosure",
    "disclosures.lead": "Anyone may comment before the deadline.",
    "disclosures.until": "Comments taken until",
    "disclosures.object": "Comment on this nomination",
    "disclosures.text": "Your comment (10 to 5,000 characters)",
    "disclosures.contact": "How to reach you (optional, never shown)",
    "disclosures.send": "Send",
    "disclosures.thanks": "Your comment was received (number {id}). The secretariat will consider it.",
    "movements.title": "Emulation movements",
    "movements.lead": "The movements and campaigns of the emulation plan 2021-2025.",
    "movements.launched": "Launched by",
    "movements.period": "Period",
    "movements.reviews": "Reviews",
    "error.network": "The server could not be reached. Please try again in a few minutes.",
  },
};

let current = new URLSearchParams(location.search).get("lang") === "en" ? "en" : "vi";

export function lang() {
  return current;
}

export function setLang(next) {
  current = next === "en" ? "en" : "vi";
  document.documentElement.lang = current;
}

export function t(key, values = {}) {
  const text = TEXT[current][key] ?? TEXT.vi[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

export function number(value, decimals = 1) {
  if (value === null || value === undefined) return "–";
  return new Intl.NumberFormat(current === "en" ? "en-GB" : "vi-VN", {
    maximumFractionDigits: decimals,
  }).format(value);
}

export function day(iso) {
  if (!iso) return "–";
  const [y, m, d] = iso.split("-");
  return `${d}/${m}/${y}`;
}
