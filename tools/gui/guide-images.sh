#!/usr/bin/env bash
# The window's screens for the user guide (docs/guide/images/gui-*.png): the headless walk of
# the four moments (gui/tests/moments.rs) draws every screen it sees with the window's own
# software renderer; the last picture of each screen below (its fields filled in) is kept.
# Run it again after changing a screen. Needs openssl (the fixtures), ImageMagick and certutil.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
shots=$(mktemp -d)
trap 'rm -rf "$shots"' EXIT
(cd "$root" && CERTVAULT_GUI_SHOTS=$shots cargo test --locked -p certvault-gui --test moments -q)
images=$root/docs/guide/images
mkdir -p "$images"
for tag in home place q-init-new-passphrase codes certificates q-add-enter-pin summary sheet sheet-done \
           clean-found q-wizard-clean-confirm clean-done restore-start q-unlock-enter-recovery-code \
           q-restore-then-ask q-restore-root-confirm restore-done; do
  last=$(ls "$shots"/*-"$tag"-*.png 2>/dev/null | sort | tail -1)
  [ -n "$last" ] || { echo "guide-images.sh: the walk showed no $tag screen" >&2; exit 1; }
  # Drawn at twice the size (the renderer's scale factor 2): halved, flattened, small.
  convert "$last" -resize 50% -strip -colors 128 "$images/gui-$tag.png"
done
# The sheet's preview, below the fold of its screen: the whole page, smaller.
convert "$shots/sheet-preview-tiny-skia.png" -resize 36% -strip -colors 128 "$images/gui-sheet-preview.png"
echo "guide-images.sh: $(ls "$images"/gui-*.png | wc -l) screens in docs/guide/images/"
