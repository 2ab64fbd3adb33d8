"""What the plugin sends to its sidecar, seen from inside WordPress: tests/wordpress/http-recorder.php,
a must-use plugin of the test site, logs WordPress's outgoing HTTP calls while switched on."""

from __future__ import annotations

import json
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from tests.support.wordpress import WordPressSite

HTTP_RECORDER = Path(__file__).with_name("http-recorder.php")


class SidecarCalls:
    def __init__(self, site: WordPressSite) -> None:
        content = site.root / "wp-content"
        (content / "mu-plugins").mkdir(exist_ok=True)
        shutil.copy(HTTP_RECORDER, content / "mu-plugins" / HTTP_RECORDER.name)
        self.switch = content / "http-calls.on"
        self.log = content / "http-calls.log"

    @contextmanager
    def recording(self) -> Iterator[list[dict]]:
        """Records while the block runs; the list holds the calls once it ends:
        `{"method", "path", "bytes", "events", "status"}` each."""
        calls: list[dict] = []
        self.log.unlink(missing_ok=True)
        self.switch.touch()
        try:
            yield calls
        finally:
            self.switch.unlink()
            if self.log.exists():
                calls.extend(json.loads(line) for line in self.log.read_text().splitlines())
