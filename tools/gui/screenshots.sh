#!/usr/bin/env bash
# Screenshots of the real desktop window: the Linux build under Xvfb and the Windows build
# under Wine (also under Xvfb), driven by the keyboard alone (Tab, Enter, Escape): the first
# screen, then the first screen of each of the four moments, in Japanese. Each PNG is checked
# to be a drawn window (not blank, not one flat colour). Written to target/gui-screens/;
# with --update also copied to docs/guide/images/ for the user guide.
#
# Usage: bash tools/gui/screenshots.sh [--update] [--linux BIN] [--windows EXE]
#   with neither, the Linux build target/debug/certvault-gui (cargo build -p certvault-gui);
#   --windows names a cross-built certvault-gui.exe.
# Needs Debian's xvfb xdotool imagemagick (and wine for --windows); .ci/run installs them.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$root/target/gui-screens
update=0
linux_bin=
windows_exe=
while [ $# -gt 0 ]; do
  case $1 in
    --update) update=1 ;;
    --linux) linux_bin=$2; shift ;;
    --windows) windows_exe=$2; shift ;;
    *) echo "screenshots.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
[ -n "$linux_bin$windows_exe" ] || linux_bin=$root/target/debug/certvault-gui
for tool in Xvfb xdotool import convert; do
  command -v $tool >/dev/null || { echo "screenshots.sh: $tool is missing (apt-get install xvfb xdotool imagemagick)" >&2; exit 2; }
done
rm -rf "$out"
mkdir -p "$out"

# A display of our own (the first free one from :90).
display=90
while [ -e /tmp/.X11-unix/X$display ] || [ -e /tmp/.X$display-lock ]; do display=$((display + 1)); done
Xvfb :$display -screen 0 1024x860x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null || true' EXIT
export DISPLAY=:$display
for _ in $(seq 50); do [ -e /tmp/.X11-unix/X$display ] && break; sleep 0.1; done

shoot() { # NAME: the screen as it is now, checked
  local png=$out/$1.png colours
  import -window root "$png"
  colours=$(convert "$png" -format %k info:)
  if [ "$colours" -lt 64 ]; then
    echo "screenshots.sh: $1 looks blank ($colours colours): $png" >&2
    exit 1
  fi
  echo "   $1: $colours colours"
}

drive() { # PREFIX COMMAND...: the first screen and each moment's first screen
  local prefix=$1 window="" pid
  shift
  "$@" >"$out/$prefix.log" 2>&1 &
  pid=$!
  for _ in $(seq 120); do
    window=$(xdotool search --name certvault 2>/dev/null | head -1 || true)
    [ -n "$window" ] && break
    kill -0 $pid 2>/dev/null || { echo "screenshots.sh: $prefix exited:" >&2; cat "$out/$prefix.log" >&2; exit 1; }
    sleep 0.5
  done
  [ -n "$window" ] || { echo "screenshots.sh: no $prefix window after 60 s" >&2; cat "$out/$prefix.log" >&2; exit 1; }
  # No window manager: the window gets the keyboard only when told.
  xdotool windowfocus --sync "$window"
  sleep 2
  shoot "$prefix-1-home"
  local n=2 moment tabs
  for moment in backup sheet clean restore; do
    tabs=$((n - 1))
    for _ in $(seq $tabs); do xdotool key --delay 80 Tab; done
    xdotool key Return
    sleep 1.5
    shoot "$prefix-$n-$moment"
    xdotool key Escape
    sleep 0.8
    n=$((n + 1))
  done
  kill $pid 2>/dev/null || true
  wait $pid 2>/dev/null || true
}

# A stick for the place screens (a declared media root, as on a clinic's PC).
mkdir -p "$out/stick"
if [ -n "$linux_bin" ]; then
  echo "== the window under Xvfb (Linux build)"
  [ -x "$linux_bin" ] || { echo "screenshots.sh: $linux_bin is missing (cargo build -p certvault-gui)" >&2; exit 2; }
  LANG=ja_JP.UTF-8 CERTVAULT_MEDIA_ROOTS=$out/stick drive linux "$linux_bin"
fi

if [ -n "$windows_exe" ]; then
  echo "== the window under Wine (Windows build)"
  command -v wine >/dev/null || { echo "screenshots.sh: wine is missing" >&2; exit 2; }
  export WINEPREFIX=$out/wine-prefix HOME=$out/wine-home WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
  mkdir -p "$WINEPREFIX" "$HOME"
  wineboot -i >/dev/null 2>&1 || true
  wineserver -w
  # Rust's std imports ProcessPrng, which Wine 8.0 lacks (tools/windows/README.md).
  x86_64-w64-mingw32-gcc -O2 -shared -o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" \
    "$root/tools/windows/bcryptprimitives.c" "$root/tools/windows/bcryptprimitives.def" -ladvapi32 \
    -Wl,--enable-stdcall-fixup
  # Japanese Windows: the window picks its language from the user's UI language.
  LANG=ja_JP.UTF-8 LC_ALL=ja_JP.UTF-8 drive windows wine "$windows_exe"
  wineserver -k || true
  rm -rf "$WINEPREFIX" "$HOME"
fi

if [ $update = 1 ]; then
  mkdir -p "$root/docs/guide/images"
  for png in "$out"/*.png; do
    convert "$png" -crop 900x760+0+0 +repage -strip "$root/docs/guide/images/gui-$(basename "$png")"
  done
  echo "   copied to docs/guide/images/"
fi
echo "== screenshots: $(ls "$out"/*.png | wc -l) in $out"
