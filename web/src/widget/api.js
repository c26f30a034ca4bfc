// The trainee API (/web/api/*) and the identity remembered in localStorage.

const STORAGE_KEY = "daogou.trainee";

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || "网络出了点问题,请稍后再试。");
    this.status = status;
    this.code = code;
  }
}

export function loadIdentity() {
  try {
    const saved = JSON.parse(localStorage.getItem(STORAGE_KEY) || "null");
    return saved && saved.token && saved.staff_no ? saved : null;
  } catch (_) {
    return null;
  }
}

export function saveIdentity(identity) {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(identity));
  } catch (_) {
    // Private mode: the trainee logs in again next visit.
  }
}

export function forgetIdentity() {
  try {
    localStorage.removeItem(STORAGE_KEY);
  } catch (_) {
    /* nothing remembered */
  }
}

export class Api {
  constructor(server) {
    this.base = `${server}/web/api`;
    this.token = null;
  }

  async request(path, { method = "GET", body } = {}) {
    const headers = { Accept: "application/json" };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let resp;
    try {
      resp = await fetch(this.base + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "omit",
      });
    } catch (_) {
      throw new ApiError(0, "network", "连接不上服务器,请检查网络后重试。");
    }
    let data = null;
    try {
      data = await resp.json();
    } catch (_) {
      data = null;
    }
    if (!resp.ok) {
      throw new ApiError(resp.status, data && data.error, data && data.message);
    }
    return data;
  }

  login(staffNo, name) {
    return this.request("/login", { method: "POST", body: { staff_no: staffNo, name } });
  }
  me() {
    return this.request("/me");
  }
  scenarios() {
    return this.request("/scenarios");
  }
  assignments() {
    return this.request("/assignments");
  }
  history() {
    return this.request("/history");
  }
  conversation() {
    return this.request("/conversation");
  }
  report(attemptId) {
    return this.request(`/attempts/${encodeURIComponent(attemptId)}/report`);
  }
}
