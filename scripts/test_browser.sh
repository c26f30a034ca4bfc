#!/usr/bin/env bash
# `make test` step 8: the trainee widget in Debian's chromium (headless), driven by Playwright
# (never `playwright install`), against the servers `make run` starts. Screenshots (390×844 and
# 1280×800) are kept in var/artifacts/screenshots/. Extra arguments go to pytest.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
# Chinese and emoji fonts, or the screenshots show empty boxes instead of text and avatars.
BROWSER_PACKAGES=(chromium fonts-wqy-microhei fonts-noto-color-emoji)

ensure_chromium() {
  local missing=()
  [ -x "$CHROMIUM" ] || missing+=(chromium)
  fc-list :lang=zh 2>/dev/null | grep -q . || missing+=(fonts-wqy-microhei)
  fc-list 2>/dev/null | grep -qi "color emoji" || missing+=(fonts-noto-color-emoji)
  [ "${#missing[@]}" -eq 0 ] && return 0
  local apt=(apt-get)
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "需要安装 ${missing[*]}:请以 root 运行,或先执行 'sudo apt-get install -y ${BROWSER_PACKAGES[*]}'。"
    apt=(sudo apt-get)
  fi
  say "installing ${missing[*]} (Debian packages)"
  export DEBIAN_FRONTEND=noninteractive
  if ! "${apt[@]}" install -y -q --no-install-recommends -o DPkg::Lock::Timeout=300 "${BROWSER_PACKAGES[@]}"; then
    "${apt[@]}" update -q -o DPkg::Lock::Timeout=300
    "${apt[@]}" install -y -q --no-install-recommends -o DPkg::Lock::Timeout=300 "${BROWSER_PACKAGES[@]}"
  fi
  [ -x "$CHROMIUM" ] || die "chromium 安装后仍找不到 $CHROMIUM"
}

ensure_venv requirements-dev.txt
ensure_web_built
ensure_chromium
ls models/*.tar.gz >/dev/null 2>&1 || train_model
mkdir -p var/artifacts/screenshots

rc=0
CHROMIUM="$CHROMIUM" "$VENV/bin/pytest" tests/browser -q "$@" || rc=$?
# pytest exits 5 when it collected nothing: that must fail, never pass silently.
[ "$rc" -eq 5 ] && die "pytest collected no browser tests in tests/browser"
[ "$rc" -eq 0 ] && say "screenshots: $ROOT/var/artifacts/screenshots/"
exit "$rc"
