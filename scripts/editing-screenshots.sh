#!/usr/bin/env bash
# Screenshots for docs/editing.md, taken by the editor browser tests
# (tests/frontend/test_editor_flows.py, test_review_flows.py) on the shipped example content, then cropped to
# the top of each page and reduced to 256 colours so the repository stays small.
# Run with `make docs-screenshots` after changing an editor screen.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-chromium.sh
TEST_SCREENSHOTS=1 .venv/bin/python -m pytest tests/frontend/test_editor_flows.py tests/frontend/test_review_flows.py \
  -q -p no:cacheprovider
.venv/bin/python - <<'PY'
from pathlib import Path

from PIL import Image

source = Path("test-artifacts/screenshots")
target = Path("docs/images/editing")
target.mkdir(parents=True, exist_ok=True)
wanted = {
    "editor-desktop-01-editor.png": ("editor.png", 1000),
    "editor-desktop-01-upload-refused.png": ("upload-refused.png", 700),
    "editor-desktop-01-draft-saved.png": ("draft-saved.png", 700),
    "editor-desktop-01-history.png": ("history.png", 500),
    "reviewer-desktop-01-admin-home.png": ("admin-home.png", 500),
    "reviewer-desktop-02-sign-off.png": ("sign-off.png", 400),
    "reader-after-sign-off-phone-01-signed-off.png": ("public-sign-off.png", 900),
    "editor-desktop-01-submitted.png": ("submitted.png", 600),
    "reviewer-desktop-01-review.png": ("review.png", 900),
    "reviewer-desktop-01-changed-while-reading.png": ("changed-while-reading.png", 700),
    "editor-desktop-01-changes-requested.png": ("changes-requested.png", 500),
}
for name, (out, height) in wanted.items():
    with Image.open(source / name) as image:
        cropped = image.crop((0, 0, image.width, min(height, image.height)))
        cropped.convert("RGB").quantize(256).save(target / out, optimize=True)
        print(f"docs/images/editing/{out}")
PY
