#!/usr/bin/env bash
# Renders the user guide's images from `certvault demo` (a throwaway certificate, nothing of
# the user's touched): the recovery sheet in Japanese and in English as PNG, and the demo's
# status screen as text. Run it again after changing templates/sheet/ or the demo.
#
#   bash tools/render-guide-images.sh            # builds target/release/certvault if needed
#   CERTVAULT=path/to/certvault bash tools/render-guide-images.sh
#
# Needs pdftoppm (poppler-utils).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/docs/guide/images"
bin=${CERTVAULT:-"$root/target/release/certvault"}
if [ -z "${CERTVAULT:-}" ]; then
  cargo build --release --quiet --manifest-path "$root/Cargo.toml"
fi
command -v pdftoppm >/dev/null || { echo "pdftoppm (poppler-utils) is needed" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
for lang in ja en; do
  "$bin" --lang "$lang" demo "$tmp/$lang" > "$tmp/demo-$lang.txt" 2>&1 || {
    cat "$tmp/demo-$lang.txt" >&2
    exit 2
  }
  # 60 dpi keeps the PNG small enough for the repository and readable on screen.
  pdftoppm -png -r 60 -f 1 -l 1 -singlefile "$tmp/$lang/recovery-sheet.pdf" "$out/recovery-sheet-$lang"
  # The whole demo transcript, with the temporary folder replaced by a stable name.
  sed -e "s#$tmp/$lang#DEMO#g" "$tmp/demo-$lang.txt" > "$out/demo-$lang.txt"
  echo "wrote $out/recovery-sheet-$lang.png and $out/demo-$lang.txt"
done
