#!/usr/bin/env bash
# Installs what the real-browser tests need: Debian's Chromium at /usr/bin/chromium, and a
# colour emoji font (the widgets label the cron with a clock glyph; without it the screenshots
# show a box). Idempotent and instant when both are there. Playwright (a Python dependency in
# the venv) drives it; its own browser download (`playwright install`) is never used.
# Never fails by itself: tests/browser/conftest.py decides whether a missing Chromium skips
# the browser tests (no way to install it) or fails them (root with apt-get, as in CI).
set -uo pipefail

CHROMIUM=/usr/bin/chromium
EMOJI_FONT=/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf
PACKAGES="chromium fonts-noto-color-emoji"
if [ -x "$CHROMIUM" ] && [ -f "$EMOJI_FONT" ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
  else
    echo "install-browser: cannot install $PACKAGES (not root, no passwordless sudo); without $CHROMIUM the browser tests cannot run" >&2
    exit 0
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-browser: cannot install $PACKAGES (no apt-get); without $CHROMIUM the browser tests cannot run" >&2
  exit 0
fi

echo "install-browser: installing Debian's $PACKAGES (one apt-get update, then install)"
export DEBIAN_FRONTEND=noninteractive
if $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null; then
  echo "install-browser: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM installed")"
else
  echo "install-browser: apt-get install $PACKAGES failed; without $CHROMIUM the browser tests cannot run" >&2
fi
exit 0
