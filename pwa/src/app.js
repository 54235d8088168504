// The field app's shell: sign in, then the items the postman holds. Later issues add the
// outbox, scanning, delivery and the route of the day on top of these modules.
import { ApiError, call, rememberCsrf } from "./api.js";

const STATUS_LABELS = {
  at_post: "Tại bưu cục",
  out_for_delivery: "Đang phát",
  attempt_failed: "Phát không thành công",
  held_for_pickup: "Chờ nhận tại bưu cục",
  delivered: "Phát thành công",
  returned: "Chuyển hoàn",
  collected: "Đã nhận hồ sơ",
  registered: "Cơ quan đăng ký kết quả",
  requested: "Yêu cầu thu gom tại nhà",
  in_transit: "Đang vận chuyển",
  filed: "Đã nộp hồ sơ cho cơ quan",
  cancelled: "Đã hủy",
};

const main = document.getElementById("main");
const who = document.getElementById("who");

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

function showSignIn(message = "") {
  who.textContent = "";
  const form = element("form", { class: "card", id: "sign-in" },
    element("h1", {}, "Đăng nhập"),
    element("label", { for: "username" }, "Tên đăng nhập"),
    element("input", { id: "username", name: "username", autocomplete: "username", required: "" }),
    element("label", { for: "password" }, "Mật khẩu"),
    element("input", { id: "password", name: "password", type: "password", autocomplete: "current-password", required: "" }),
    element("p", { class: "error", role: "alert", id: "sign-in-error" }, message),
    element("button", { type: "submit", class: "primary" }, "Đăng nhập"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    try {
      const session = await call("POST", "/auth/login", { username: data.get("username"), password: data.get("password") });
      rememberCsrf(session.csrf_token);
      await showHome(session.user);
    } catch (error) {
      form.querySelector("#sign-in-error").textContent = error.message;
    }
  });
  main.replaceChildren(form);
}

async function showHome(user) {
  who.textContent = `${user.full_name || user.username} · ${user.unit.name}`;
  const list = element("ul", { class: "items", id: "held-items" });
  const signOut = element("button", { type: "button", class: "secondary", id: "sign-out" }, "Đăng xuất");
  signOut.addEventListener("click", async () => {
    await call("POST", "/auth/logout", {}).catch(() => {});
    showSignIn();
  });
  main.replaceChildren(element("h1", {}, "Bưu gửi đang giữ"), list, signOut);
  const page = await call("GET", "/items?holder=me&limit=200");
  if (page.items.length === 0) list.append(element("li", { class: "empty" }, "Chưa có bưu gửi nào."));
  for (const item of page.items) {
    list.append(element("li", {},
      element("span", { class: "number" }, item.tracking_number),
      element("span", { class: "status" }, STATUS_LABELS[item.status] ?? item.status),
      element("span", { class: "address" }, `${item.citizen.address.line}, ${item.citizen.address.commune}`),
    ));
  }
}

async function start() {
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js").catch(() => {});
  try {
    const session = await call("GET", "/auth/me");
    rememberCsrf(session.csrf_token);
    await showHome(session.user);
  } catch (error) {
    showSignIn(error instanceof ApiError && error.status !== 401 ? error.message : "");
  }
}

start();
