"""`make bench` runs `python -m bench`, whose options docs/performance.md documents."""

import re
import subprocess
import sys

from tests.servers import BASE_DIR


def test_every_option_the_performance_guide_names_is_accepted():
    guide = (BASE_DIR / "docs" / "performance.md").read_text()
    running_it = guide.split("## Running it", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"(?<![\w-])--[a-z][a-z-]+", running_it))

    result = subprocess.run(
        [sys.executable, "-m", "bench", "--help"],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert {"--pages", "--no-post", "--profile", "--workers"} <= documented
    missing = {option for option in documented if option not in result.stdout}
    assert not missing
