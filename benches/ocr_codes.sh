#!/usr/bin/env bash
# How often an OCR reads the recovery sheet's printed codes exactly: N codes (200 unless set)
# from a fixed seed, two to a sheet rendered by certvault, each cropped at 300 dpi and read
# by `tesseract --psm 7` with `-l eng` and with `-l jpn+eng`. Prints the exact share per
# language and every misread (none of which certvault may accept as a code). The test it
# runs checks the same with 24 codes on every `cargo test`.
# Needs tesseract with the eng and jpn data and poppler-utils (Debian: tesseract-ocr
# tesseract-ocr-eng tesseract-ocr-jpn poppler-utils).
set -euo pipefail
cd "$(dirname "$0")/.."
tesseract --version 2>&1 | head -1
OCR_CODES=${N:-200} cargo test --quiet --test sheet \
  the_printed_codes_read_back_by_ocr_in_english_and_japanese_as_they_are -- --nocapture 2>&1 \
  | grep -E '^tesseract -l|test result|panicked'
