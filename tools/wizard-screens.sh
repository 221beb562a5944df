#!/usr/bin/env bash
# Regenerates docs/screens/wizard-*.{ja,en}.txt: the wizard's screens as a person sees them,
# captured by the pseudo-terminal tests of tests/wizard.rs (tmux capture-pane), with the
# temporary folders shown as /home/sakura and /media/sakura/USB. The codes on the screens come
# from throwaway test vaults.
set -euo pipefail
cd "$(dirname "$0")/.."
out="$PWD/docs/screens"
mkdir -p "$out"
rm -f "$out"/wizard-*.txt
CERTVAULT_WIZARD_SCREENS="$out" cargo test --locked --test wizard -- --test-threads=2
ls "$out"/wizard-*.txt
